package app

import (
	"github.com/warroomhq/warroom/internal/statuspage"
)

// statusPage is the public status page, mounted at /status without login.
func (m *Main) statusPage() (*statuspage.Handler, error) {
	return statuspage.New(statuspage.Deps{StatusPage: m.DB, Subscribers: m.DB, Logger: m.Logger})
}

// communications is the engine module that tells stakeholders and
// subscribers. It sends through the pager's channel registry, so email
// goes through the one SMTP relay Config describes (--smtp-*, with
// WARROOM_SMTP_* as before) and links point at Config's public URL
// (--public-url, WARROOM_PUBLIC_URL or the older WARROOM_BASE_URL). It
// needs openPager to have run.
func (m *Main) communications() (*statuspage.Notifier, error) {
	return statuspage.NewNotifier(statuspage.NotifierOptions{Queue: m.DB, Send: m.Notifiers, BaseURL: m.publicURL(), Logger: m.Logger})
}

package app

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/aliyun"
	"github.com/warroomhq/warroom/internal/notify/dingtalk"
	"github.com/warroomhq/warroom/internal/notify/email"
	"github.com/warroomhq/warroom/internal/notify/feishu"
	"github.com/warroomhq/warroom/internal/notify/mattermost"
	"github.com/warroomhq/warroom/internal/notify/slack"
	"github.com/warroomhq/warroom/internal/notify/teams"
	"github.com/warroomhq/warroom/internal/notify/twilio"
	"github.com/warroomhq/warroom/internal/notify/webhook"
	"github.com/warroomhq/warroom/internal/notify/wecom"
	"github.com/warroomhq/warroom/internal/paging"
	"github.com/warroomhq/warroom/internal/store"
)

// storeSealer returns the key box as the store's sealer, or a nil interface
// (not a typed nil) when there is none.
func (m *Main) storeSealer() store.Sealer {
	if m.Secrets == nil {
		return nil
	}
	return m.Secrets
}

// wakeEngine asks the engine for an early tick; the store calls it after
// committing an incident that must be paged for.
func (m *Main) wakeEngine() {
	if m.Engine != nil {
		m.Engine.Wake()
	}
}

// publicURL is where people reach this server, for links in messages.
func (m *Main) publicURL() string {
	if m.Config.PublicURL != "" {
		return strings.TrimRight(m.Config.PublicURL, "/")
	}
	return "http://" + m.Config.Addr
}

// openPager registers every notification channel and creates the pager.
// Chat channels need nothing configured: each contact method carries its
// own webhook URL. Email needs an SMTP relay; without one, email contact
// methods fail with a clear reason and the other channels still page.
func (m *Main) openPager() error {
	if m.Notifiers == nil {
		m.Notifiers = notify.NewRegistry()
		// Every chat and webhook address was chosen by a user: the
		// client dials only where the outbound policy allows.
		client := m.outbound.Client(15 * time.Second)
		m.Notifiers.Register(warroom.ContactWebhook, webhook.New(client))
		m.Notifiers.Register(warroom.ContactSlack, slack.New(client))
		m.Notifiers.Register(warroom.ContactTeams, teams.New(client))
		m.Notifiers.Register(warroom.ContactMattermost, mattermost.New(client))
		m.Notifiers.Register(warroom.ContactFeishu, feishu.New(client))
		m.Notifiers.Register(warroom.ContactDingTalk, dingtalk.New(client))
		m.Notifiers.Register(warroom.ContactWeCom, wecom.New(client))
		// Every SMS and call costs money: each channel is rate limited
		// per person and in total (notify.PhoneLimits), and fails over
		// from one provider to the next.
		if sms, voice := m.phoneProviders(client); len(sms)+len(voice) > 0 {
			m.Notifiers.Register(warroom.ContactSMS, notify.Limit(sms, notify.PhoneLimits))
			m.Notifiers.Register(warroom.ContactVoice, notify.Limit(voice, notify.PhoneLimits))
		}
		ec, err := m.Config.Email()
		if err != nil {
			return err
		}
		if ec != nil {
			mailer, err := email.New(*ec)
			if err != nil {
				return fmt.Errorf("smtp: %w", err)
			}
			m.Notifiers.Register(warroom.ContactEmail, mailer)
		}
	}
	p, err := paging.New(paging.Options{Store: m.DB, Notifier: m.Notifiers, BaseURL: m.publicURL(), Wake: m.wakeEngine, Logger: m.Logger, Now: m.Now, Observe: m.observeNotification()})
	if err != nil {
		return fmt.Errorf("paging: %w", err)
	}
	m.Pager = p
	if m.twilioClient != nil {
		m.phoneHooks = twilio.NewHandler(m.twilioClient, m.replies(), m.Logger)
	}
	return nil
}

// twilio returns the Twilio account's client, nil when none is
// configured. Its callbacks come to wherever links in messages point.
func (m *Main) twilio(client *http.Client) *twilio.Client {
	tc, err := m.Config.Twilio()
	if err != nil || tc == nil {
		// Validate has reported a bad configuration before Run.
		return nil
	}
	tc.PublicURL = func() string {
		if m.Pager == nil {
			return m.publicURL()
		}
		return m.Pager.Links().Base()
	}
	m.twilioClient = twilio.New(*tc, client)
	return m.twilioClient
}

// phoneProviders returns the SMS and voice providers configured, in
// failover order.
func (m *Main) phoneProviders(client *http.Client) (sms, voice notify.Failover) {
	names, _ := m.Config.Providers()
	for _, name := range names {
		switch name {
		case "twilio":
			if tw := m.twilio(client); tw != nil {
				sms, voice = append(sms, tw.SMS()), append(voice, tw.Voice())
			}
		case "aliyun":
			ac, err := m.Config.Aliyun()
			if err != nil || ac == nil {
				continue
			}
			al := aliyun.New(*ac, client)
			if n := al.SMS(); n != nil {
				sms = append(sms, n)
			}
			if n := al.Voice(); n != nil {
				voice = append(voice, n)
			}
		}
	}
	return sms, voice
}

// replies acts on SMS replies and key presses in calls.
func (m *Main) replies() *paging.Replies {
	return paging.NewReplies(paging.ReplyDeps{Phones: m.DB, Users: m.DB, Incidents: m.DB, Notifications: m.DB, Teams: m.DB, Logger: m.Logger})
}

// pagingModules are the pager's engine modules, run after routing so that
// incidents opened by alerts are paged for in the same tick.
func (m *Main) pagingModules() []engine.Module {
	var mods []engine.Module
	for _, mod := range m.Pager.Modules() {
		mods = append(mods, mod)
	}
	return mods
}

// linkHandler serves the acknowledge and resolve links in messages.
func (m *Main) linkHandler() http.Handler {
	return paging.NewHandler(paging.HandlerDeps{Links: m.Pager.Links(), Incidents: m.DB, Users: m.DB, Teams: m.DB, Logger: m.Logger, Now: m.Now})
}

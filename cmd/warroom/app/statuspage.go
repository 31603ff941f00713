package app

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/dingtalk"
	"github.com/warroomhq/warroom/internal/notify/email"
	"github.com/warroomhq/warroom/internal/notify/feishu"
	"github.com/warroomhq/warroom/internal/notify/slack"
	"github.com/warroomhq/warroom/internal/notify/webhook"
	"github.com/warroomhq/warroom/internal/notify/wecom"
	"github.com/warroomhq/warroom/internal/statuspage"
)

// statusPage is the public status page, mounted at /status without login.
func (m *Main) statusPage() (*statuspage.Handler, error) {
	return statuspage.New(statuspage.Deps{StatusPage: m.DB, Subscribers: m.DB, Logger: m.Logger})
}

// communications is the engine module that tells stakeholders and
// subscribers, delivering through the notification channels. Email needs
// an SMTP relay, configured by WARROOM_SMTP_HOST, _PORT, _USERNAME,
// _PASSWORD, _TLS (starttls, tls or none) and _FROM; without one, email
// deliveries are retried and then recorded as failed, and chat and
// webhook deliveries still go out. WARROOM_BASE_URL is where people reach
// warroom, for the links in messages.
func (m *Main) communications() engine.Module {
	reg := notify.NewRegistry()
	client := &http.Client{Timeout: 10 * time.Second}
	reg.Register(warroom.ContactWebhook, webhook.New(client))
	reg.Register(warroom.ContactSlack, slack.New(client))
	reg.Register(warroom.ContactFeishu, feishu.New(client))
	reg.Register(warroom.ContactDingTalk, dingtalk.New(client))
	reg.Register(warroom.ContactWeCom, wecom.New(client))
	getenv := m.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if host := getenv("WARROOM_SMTP_HOST"); host != "" {
		port, _ := strconv.Atoi(getenv("WARROOM_SMTP_PORT"))
		em, err := email.New(email.Config{Host: host, Port: port, Username: getenv("WARROOM_SMTP_USERNAME"), Password: getenv("WARROOM_SMTP_PASSWORD"),
			TLS: getenv("WARROOM_SMTP_TLS"), From: getenv("WARROOM_SMTP_FROM")})
		if err != nil {
			m.Logger.Error("email is not configured", "err", err)
		} else {
			reg.Register(warroom.ContactEmail, em)
		}
	}
	base := getenv("WARROOM_BASE_URL")
	if base == "" {
		host, port, err := net.SplitHostPort(m.Config.Addr)
		if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	mod, err := statuspage.NewNotifier(statuspage.NotifierOptions{Queue: m.DB, Send: reg, BaseURL: strings.TrimRight(base, "/"), Logger: m.Logger})
	if err != nil {
		// Only missing dependencies fail, and both are set above.
		panic(err)
	}
	return mod
}

package app

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/aliyun"
	"github.com/warroomhq/warroom/internal/notify/email"
	"github.com/warroomhq/warroom/internal/notify/twilio"
)

// Config is everything the binary is told from outside. It is filled once,
// from flags, then the environment, then defaults, and passed down; nothing
// reads flags or the environment after that.
type Config struct {
	// Addr is where `serve` listens.
	Addr string
	// Database is a SQLite file path (or "file:" DSN) or a postgres:// URL.
	Database string
	// Server is the base URL the client commands talk to.
	Server string
	// Token is the API token the client commands send.
	Token string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is text (logfmt, the default) or json.
	LogFormat string
	// MetricsAddr, when set, is where `serve` serves Prometheus metrics
	// at /metrics, apart from the main listener.
	MetricsAddr string

	// BootstrapToken and BootstrapPassword, read from the environment only
	// (a secret on a command line is visible to every local user through
	// ps), become the first admin's credentials on an empty database.
	BootstrapToken    string
	BootstrapPassword string

	// SecretKey (environment only) is the AES-256 key for credentials at
	// rest, as 64 hex digits; without it the key is read from, or created
	// in, SecretKeyFile, which defaults to the SQLite file's path + ".key".
	SecretKey     string
	SecretKeyFile string

	// OIDC single sign-on; off unless OIDCIssuer is set. OIDCRoles maps
	// claim values to roles: "sre=responder,ops-leads=admin".
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCRedirectURL  string
	OIDCRoleClaim    string
	OIDCRoles        string
	OIDCDefaultRole  string
	// OIDCScopes are requested at the provider, space- or comma-separated;
	// empty means "openid email profile".
	OIDCScopes string

	// AuditCheckpoint lists where checkpoints of the audit chain head are
	// written, comma-separated: file paths (append-only JSON lines),
	// mailto: addresses, http(s) webhook URLs; empty writes none.
	// AuditCheckpointEvery is how often, a duration (default 1h).
	AuditCheckpoint      string
	AuditCheckpointEvery string

	// PublicURL is where people reach this server, for the links in
	// notifications; empty means http:// + Addr.
	PublicURL string
	// SMTP relay for email notifications; email is off while SMTPHost is
	// empty. SMTPTLS is starttls (default), tls or none. SMTPPassword is
	// read from the environment only.
	SMTPHost     string
	SMTPPort     string
	SMTPUsername string
	SMTPPassword string
	SMTPTLS      string
	SMTPFrom     string

	// Twilio account for SMS and voice contact methods; off while
	// TwilioAccountSID is empty. TwilioAuthToken is read from the
	// environment only. TwilioFrom is the sending number (E.164) or a
	// Messaging Service SID; TwilioAPIURL overrides the REST API address
	// (a regional edge, or a local stand-in for tests).
	TwilioAccountSID string
	TwilioAuthToken  string
	TwilioFrom       string
	TwilioAPIURL     string

	// Alibaba Cloud SMS and voice notifications; off while
	// AliyunAccessKeyID is empty. The secret is read from the environment
	// only. Templates are "page=CODE,code=CODE".
	AliyunAccessKeyID     string
	AliyunAccessKeySecret string
	AliyunSMSSignName     string
	AliyunSMSTemplates    string
	AliyunVoiceTemplates  string
	AliyunVoiceNumber     string
	// PhoneProviders orders the SMS and voice providers for failover:
	// "twilio,aliyun" (the default: every configured one, in that order).
	PhoneProviders string

	// OutboundAllow lists the internal destinations (CIDRs, addresses,
	// host names) that contact methods, chat webhooks and subscriber
	// webhooks may point at, for on-premises chat servers; everything
	// internal is refused otherwise.
	OutboundAllow string

	// AlertRetention is how long resolved alerts that joined no incident
	// are kept: "90d" (the default), a duration, or "forever".
	AlertRetention string
}

// DefaultConfig returns the configuration used when nothing is set: an
// embedded SQLite file in the working directory and a server on loopback.
func DefaultConfig() Config {
	return Config{
		Addr:     "127.0.0.1:8080",
		Database: "./warroom.db",
		Server:   "http://127.0.0.1:8080",
		LogLevel: "info",
	}
}

// setting ties a flag to its environment variable and its field.
type setting struct {
	flag, env, usage string
	field            func(*Config) *string
}

// envAliases are older names of variables, still read when the current
// name is unset so that existing deployments keep working.
var envAliases = map[string]string{
	"WARROOM_PUBLIC_URL": "WARROOM_BASE_URL",
}

var settings = []setting{
	{"addr", "WARROOM_ADDR", "address the server listens on (serve)", func(c *Config) *string { return &c.Addr }},
	{"database", "WARROOM_DATABASE", "SQLite file path or postgres:// URL", func(c *Config) *string { return &c.Database }},
	{"server", "WARROOM_SERVER", "base URL of the warroom server the client commands call", func(c *Config) *string { return &c.Server }},
	{"token", "WARROOM_TOKEN", "API token for the client commands", func(c *Config) *string { return &c.Token }},
	{"log-level", "WARROOM_LOG_LEVEL", "log level: debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }},
	{"log-format", "WARROOM_LOG_FORMAT", "log format: text or json", func(c *Config) *string { return &c.LogFormat }},
	{"metrics-addr", "WARROOM_METRICS_ADDR", "address to serve Prometheus metrics on at /metrics, apart from --addr; empty turns metrics off (serve)", func(c *Config) *string { return &c.MetricsAddr }},
	{"secret-key-file", "WARROOM_SECRET_KEY_FILE", "file holding the key for credentials at rest, created if missing (default: the SQLite file + .key)", func(c *Config) *string { return &c.SecretKeyFile }},
	{"oidc-issuer", "WARROOM_OIDC_ISSUER", "OpenID Connect issuer URL; enables single sign-on", func(c *Config) *string { return &c.OIDCIssuer }},
	{"oidc-client-id", "WARROOM_OIDC_CLIENT_ID", "OpenID Connect client ID", func(c *Config) *string { return &c.OIDCClientID }},
	{"oidc-redirect-url", "WARROOM_OIDC_REDIRECT_URL", "this server's /auth/oidc/callback URL as the provider knows it", func(c *Config) *string { return &c.OIDCRedirectURL }},
	{"oidc-role-claim", "WARROOM_OIDC_ROLE_CLAIM", "ID token claim mapped to roles (default groups)", func(c *Config) *string { return &c.OIDCRoleClaim }},
	{"oidc-roles", "WARROOM_OIDC_ROLES", "claim value to role map, e.g. sre=responder,ops-leads=admin", func(c *Config) *string { return &c.OIDCRoles }},
	{"oidc-default-role", "WARROOM_OIDC_DEFAULT_ROLE", "role for people no mapping matches; empty refuses them", func(c *Config) *string { return &c.OIDCDefaultRole }},
	{"oidc-scopes", "WARROOM_OIDC_SCOPES", "OpenID Connect scopes to request, e.g. \"openid email profile groups\" (default openid email profile)", func(c *Config) *string { return &c.OIDCScopes }},
	{"audit-checkpoint", "WARROOM_AUDIT_CHECKPOINT", "where checkpoints of the audit log head are written: file paths, mailto: addresses, http(s) URLs, comma-separated (serve, audit checkpoint)", func(c *Config) *string { return &c.AuditCheckpoint }},
	{"audit-checkpoint-every", "WARROOM_AUDIT_CHECKPOINT_EVERY", "how often an audit checkpoint is written, e.g. 1h (default 1h; serve)", func(c *Config) *string { return &c.AuditCheckpointEvery }},
	{"public-url", "WARROOM_PUBLIC_URL", "URL people reach this server at, for links in notifications (serve)", func(c *Config) *string { return &c.PublicURL }},
	{"smtp-host", "WARROOM_SMTP_HOST", "SMTP relay for email notifications; empty turns email off", func(c *Config) *string { return &c.SMTPHost }},
	{"smtp-port", "WARROOM_SMTP_PORT", "SMTP port (default 587, or 465 with --smtp-tls tls)", func(c *Config) *string { return &c.SMTPPort }},
	{"smtp-username", "WARROOM_SMTP_USERNAME", "SMTP user name; the password is WARROOM_SMTP_PASSWORD", func(c *Config) *string { return &c.SMTPUsername }},
	{"smtp-tls", "WARROOM_SMTP_TLS", "SMTP TLS: starttls, tls or none", func(c *Config) *string { return &c.SMTPTLS }},
	{"smtp-from", "WARROOM_SMTP_FROM", "sender address of email notifications", func(c *Config) *string { return &c.SMTPFrom }},
	{"twilio-account-sid", "WARROOM_TWILIO_ACCOUNT_SID", "Twilio Account SID for SMS and voice contact methods; the auth token is WARROOM_TWILIO_AUTH_TOKEN", func(c *Config) *string { return &c.TwilioAccountSID }},
	{"twilio-from", "WARROOM_TWILIO_FROM", "Twilio number calls and SMS come from (E.164), or a Messaging Service SID for SMS", func(c *Config) *string { return &c.TwilioFrom }},
	{"twilio-api-url", "WARROOM_TWILIO_API_URL", "Twilio REST API address (default https://api.twilio.com)", func(c *Config) *string { return &c.TwilioAPIURL }},
	{"aliyun-access-key-id", "WARROOM_ALIYUN_ACCESS_KEY_ID", "Alibaba Cloud AccessKey ID for SMS and voice; the secret is WARROOM_ALIYUN_ACCESS_KEY_SECRET", func(c *Config) *string { return &c.AliyunAccessKeyID }},
	{"aliyun-sms-sign-name", "WARROOM_ALIYUN_SMS_SIGN_NAME", "approved Alibaba Cloud SMS signature (短信签名)", func(c *Config) *string { return &c.AliyunSMSSignName }},
	{"aliyun-sms-templates", "WARROOM_ALIYUN_SMS_TEMPLATES", "Alibaba Cloud SMS template codes: page=SMS_…,code=SMS_…", func(c *Config) *string { return &c.AliyunSMSTemplates }},
	{"aliyun-voice-templates", "WARROOM_ALIYUN_VOICE_TEMPLATES", "Alibaba Cloud voice (TTS) template codes: page=TTS_…,code=TTS_…", func(c *Config) *string { return &c.AliyunVoiceTemplates }},
	{"aliyun-voice-number", "WARROOM_ALIYUN_VOICE_NUMBER", "number Alibaba Cloud calls show (CalledShowNumber); empty uses the public pool", func(c *Config) *string { return &c.AliyunVoiceNumber }},
	{"phone-providers", "WARROOM_PHONE_PROVIDERS", "SMS and voice providers in failover order, e.g. aliyun,twilio (default: every configured one, twilio first)", func(c *Config) *string { return &c.PhoneProviders }},
	{"alert-retention", "WARROOM_ALERT_RETENTION", "how long resolved alerts that joined no incident are kept: 90d (default), a duration, or forever (serve, stats)", func(c *Config) *string { return &c.AlertRetention }},
	{"outbound-allow", "WARROOM_OUTBOUND_ALLOW", "internal CIDRs, addresses or host names webhooks may be sent to, comma-separated (serve)", func(c *Config) *string { return &c.OutboundAllow }},
}

// envOnly are settings that have no flag on purpose.
var envOnly = []setting{
	{"", "WARROOM_BOOTSTRAP_TOKEN", "", func(c *Config) *string { return &c.BootstrapToken }},
	{"", "WARROOM_BOOTSTRAP_PASSWORD", "", func(c *Config) *string { return &c.BootstrapPassword }},
	{"", "WARROOM_SECRET_KEY", "", func(c *Config) *string { return &c.SecretKey }},
	{"", "WARROOM_OIDC_CLIENT_SECRET", "", func(c *Config) *string { return &c.OIDCClientSecret }},
	{"", "WARROOM_SMTP_PASSWORD", "", func(c *Config) *string { return &c.SMTPPassword }},
	{"", "WARROOM_TWILIO_AUTH_TOKEN", "", func(c *Config) *string { return &c.TwilioAuthToken }},
	{"", "WARROOM_ALIYUN_ACCESS_KEY_SECRET", "", func(c *Config) *string { return &c.AliyunAccessKeySecret }},
}

// RegisterFlags binds the configuration flags to c. The defaults shown in
// help are the built-in ones; the token's is never shown.
func (c *Config) RegisterFlags(fs *pflag.FlagSet) {
	def := DefaultConfig()
	for _, s := range settings {
		fs.StringVar(s.field(c), s.flag, *s.field(&def), s.usage+" (env "+s.env+")")
	}
}

// ApplyEnv fills every setting whose flag was not given on the command line
// from the environment, so that flags beat the environment and the
// environment beats the defaults. It then checks the result.
func (c *Config) ApplyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	for _, s := range settings {
		if f := fs.Lookup(s.flag); f != nil && f.Changed {
			continue
		}
		if v := getenv(s.env); v != "" {
			*s.field(c) = v
		} else if v := getenv(envAliases[s.env]); envAliases[s.env] != "" && v != "" {
			*s.field(c) = v
		}
	}
	for _, s := range envOnly {
		if v := getenv(s.env); v != "" {
			*s.field(c) = v
		}
	}
	return c.Validate()
}

// Validate checks the settings that can be checked without using them.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.Addr) == "" {
		return fmt.Errorf("--addr: must not be empty")
	} else if strings.TrimSpace(c.Database) == "" {
		return fmt.Errorf("--database: must not be empty")
	} else if !strings.HasPrefix(c.Server, "http://") && !strings.HasPrefix(c.Server, "https://") {
		return fmt.Errorf("--server: %q must start with http:// or https://", c.Server)
	}
	if _, err := c.Level(); err != nil {
		return err
	}
	if _, err := c.NewLogger(io.Discard); err != nil {
		return err
	}
	if _, err := c.OIDC(); err != nil {
		return err
	}
	if _, err := c.Email(); err != nil {
		return err
	}
	if _, err := c.Outbound(); err != nil {
		return err
	}
	if _, err := c.Twilio(); err != nil {
		return err
	}
	if _, err := c.Aliyun(); err != nil {
		return err
	}
	if _, err := c.Providers(); err != nil {
		return err
	}
	if _, err := c.CheckpointWriter(); err != nil {
		return err
	}
	if _, err := c.Retention(); err != nil {
		return err
	}
	return nil
}

// Retention returns the age after which resolved alerts that joined no
// incident are deleted; 0 keeps them.
func (c *Config) Retention() (time.Duration, error) {
	d, err := warroom.ParseRetention(c.AlertRetention)
	if err != nil {
		return 0, fmt.Errorf("--alert-retention: %w", err)
	}
	return d, nil
}

// Outbound returns the policy for the URLs people configure, allowing the
// internal destinations OutboundAllow lists.
func (c *Config) Outbound() (*notify.Policy, error) {
	p, err := notify.ParsePolicy(c.OutboundAllow)
	if err != nil {
		return nil, fmt.Errorf("--outbound-allow: %w", err)
	}
	return p, nil
}

// Email returns the SMTP relay's settings, nil when email is off (no
// SMTPHost). Paging, reminders, change notices and the status page all
// send through the one relay it describes.
func (c *Config) Email() (*email.Config, error) {
	if c.SMTPHost == "" {
		return nil, nil
	}
	port := 0
	if c.SMTPPort != "" {
		p, err := strconv.Atoi(c.SMTPPort)
		if err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("--smtp-port: %q is not a port", c.SMTPPort)
		}
		port = p
	}
	switch c.SMTPTLS {
	case "", email.TLSStartTLS, email.TLSImplicit, email.TLSNone:
	default:
		return nil, fmt.Errorf("--smtp-tls: %q is not starttls, tls or none", c.SMTPTLS)
	}
	if c.SMTPFrom == "" {
		return nil, fmt.Errorf("--smtp-from: required when --smtp-host is set")
	}
	return &email.Config{Host: c.SMTPHost, Port: port, Username: c.SMTPUsername, Password: c.SMTPPassword, TLS: c.SMTPTLS, From: c.SMTPFrom}, nil
}

// Twilio returns the Twilio account's settings, nil when it is off (no
// TwilioAccountSID). The public URL, where Twilio calls back, is set by
// the caller.
func (c *Config) Twilio() (*twilio.Config, error) {
	if c.TwilioAccountSID == "" {
		return nil, nil
	}
	tc := twilio.Config{AccountSID: c.TwilioAccountSID, AuthToken: c.TwilioAuthToken, From: c.TwilioFrom, BaseURL: c.TwilioAPIURL}
	if err := tc.Validate(); err != nil {
		return nil, fmt.Errorf("--twilio-account-sid: %w (the auth token is WARROOM_TWILIO_AUTH_TOKEN, the number --twilio-from)", err)
	}
	if tc.BaseURL != "" && !strings.HasPrefix(tc.BaseURL, "https://") && !strings.HasPrefix(tc.BaseURL, "http://") {
		return nil, fmt.Errorf("--twilio-api-url: %q must start with https://", tc.BaseURL)
	}
	return &tc, nil
}

// Aliyun returns the Alibaba Cloud account's settings, nil when it is
// off (no AliyunAccessKeyID).
func (c *Config) Aliyun() (*aliyun.Config, error) {
	if c.AliyunAccessKeyID == "" {
		return nil, nil
	}
	ac := aliyun.Config{AccessKeyID: c.AliyunAccessKeyID, AccessKeySecret: c.AliyunAccessKeySecret, SignName: c.AliyunSMSSignName, CalledShowNumber: c.AliyunVoiceNumber}
	var err error
	if ac.SMS, err = parseTemplates(c.AliyunSMSTemplates); err != nil {
		return nil, fmt.Errorf("--aliyun-sms-templates: %w", err)
	}
	if ac.Voice, err = parseTemplates(c.AliyunVoiceTemplates); err != nil {
		return nil, fmt.Errorf("--aliyun-voice-templates: %w", err)
	}
	if err := ac.Validate(); err != nil {
		return nil, fmt.Errorf("--aliyun-access-key-id: %w (the secret is WARROOM_ALIYUN_ACCESS_KEY_SECRET)", err)
	}
	return &ac, nil
}

// parseTemplates reads "page=CODE,code=CODE"; empty is none.
func parseTemplates(s string) (aliyun.Templates, error) {
	var t aliyun.Templates
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch {
		case v == "":
			return t, fmt.Errorf("%q is not name=CODE", kv)
		case k == "page":
			t.Page = v
		case k == "code":
			t.Code = v
		default:
			return t, fmt.Errorf("unknown template %q (want page and code)", k)
		}
	}
	if t.Page == "" || t.Code == "" {
		return t, fmt.Errorf("both page= and code= are required")
	}
	return t, nil
}

// Providers returns the SMS and voice providers in failover order.
func (c *Config) Providers() ([]string, error) {
	if strings.TrimSpace(c.PhoneProviders) == "" {
		var out []string
		if c.TwilioAccountSID != "" {
			out = append(out, "twilio")
		}
		if c.AliyunAccessKeyID != "" {
			out = append(out, "aliyun")
		}
		return out, nil
	}
	var out []string
	for _, p := range strings.Split(c.PhoneProviders, ",") {
		switch p = strings.TrimSpace(p); {
		case p == "twilio" && c.TwilioAccountSID != "", p == "aliyun" && c.AliyunAccessKeyID != "":
			out = append(out, p)
		case p == "twilio" || p == "aliyun":
			return nil, fmt.Errorf("--phone-providers: %s is not configured", p)
		default:
			return nil, fmt.Errorf("--phone-providers: unknown provider %q (want twilio or aliyun)", p)
		}
	}
	return out, nil
}

// Level returns the slog level named by LogLevel.
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// Package app is the warroom server program: Main opens the database,
// creates the first admin, wires the API and the web UI onto one HTTP
// server, and shuts it all down gracefully. The command in cmd/warroom runs
// it for `warroom serve`; end-to-end tests start it in-process the same way.
package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/ingest/httpingest"
	"github.com/warroomhq/warroom/internal/metrics"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/twilio"
	"github.com/warroomhq/warroom/internal/paging"
	"github.com/warroomhq/warroom/internal/secret"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/statuspage"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/ui"
)

// shutdownTimeout bounds how long in-flight requests may run after a stop
// signal before they are cut off.
const shutdownTimeout = 15 * time.Second

// Main is the server program. Tests start the real server in-process with
// it: set Config (or call ParseFlags), then Run, then Close.
type Main struct {
	Config Config

	// DB is opened by Run from Config.Database unless set beforehand, in
	// which case Run uses it and Close leaves it open.
	DB *store.DB
	// Server is set by Run.
	Server *server.Server
	// Engine runs the background modules (alert routing, monitors, …);
	// set by Run.
	Engine *engine.Engine
	// Ingest serves the alert ingest endpoints; set by Run.
	Ingest *httpingest.Handler
	// Pager runs paging; Notifiers are its channels, which tests may set
	// beforehand to stubs. Both are set by Run.
	Pager     *paging.Pager
	Notifiers *notify.Registry
	// Secrets seals and opens credentials stored in the database (webhook
	// URLs, SMTP passwords); set by Run.
	Secrets *secret.Box

	// Now is the clock of the store, the engines and the pager; nil means
	// time.Now. End-to-end tests fast-forward it to see escalations and
	// notification rules fire minutes apart.
	Now func() time.Time

	// MetricsServer serves /metrics when Config.MetricsAddr is set; set
	// by Run.
	MetricsServer *server.Server
	metrics       *metrics.Metrics

	// Logger receives the structured log; nil means text to Stderr.
	Logger *slog.Logger
	// Stderr receives the first admin's credentials, printed once.
	Stderr io.Writer
	// Getenv reads the environment for ParseFlags.
	Getenv func(string) string

	ownDB      bool
	stopEngine context.CancelFunc
	// alertEngine routes alerts apart from the main engine, so that a
	// wake after every ingest commit does not run every other module too.
	alertEngine *engine.Engine
	engineDone  chan struct{}
	// comms tells stakeholders and subscribers; set by Run.
	comms *statuspage.Notifier
	// outbound is the policy for the URLs people configure; set by Run.
	outbound *notify.Policy
	// keySource says where the secret key came from, for the error when
	// it does not fit the database.
	keySource string
	// auditKey MACs the audit log and its checkpoints; derived from the
	// secret key by openSecrets.
	auditKey []byte
	// phoneHooks serves the SMS and voice providers' webhooks; set by
	// openPager when a provider is configured.
	phoneHooks http.Handler
	// twilioClient is the Twilio account, nil when none is configured.
	twilioClient *twilio.Client
	// retention is how long resolved alerts outside incidents are kept.
	retention time.Duration
}

// NewMain returns a Main with the default configuration, reading the
// process environment and writing to os.Stderr.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Stderr: os.Stderr, Getenv: os.Getenv}
}

// ParseFlags fills Config from serve's command-line flags, then the
// environment, then the defaults.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	fs := pflag.NewFlagSet("warroom serve", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	m.Config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return m.Config.ApplyEnv(fs, m.Getenv)
}

// Run opens the database (which migrates it), creates the first admin on an
// empty database, and starts serving in the background. It returns once the
// server listens; Server.URL then says where.
func (m *Main) Run(ctx context.Context) (err error) {
	if m.Stderr == nil {
		m.Stderr = io.Discard
	}
	if m.Logger == nil {
		if m.Logger, err = m.Config.NewLogger(m.Stderr); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()

	// The key is loaded first: the store seals contact credentials with it.
	if err := m.openSecrets(); err != nil {
		return err
	}
	if m.outbound, err = m.Config.Outbound(); err != nil {
		return err
	}
	if m.DB == nil {
		db, err := store.Open(ctx, m.Config.Database, store.Options{Now: m.Now, Logger: m.Logger, Sealer: m.storeSealer(), Wake: m.wakeEngine, Outbound: m.outbound, AuditKey: m.auditKey})
		if errors.Is(err, store.ErrSealerMismatch) {
			return fmt.Errorf("secret key: the key from %s does not open the credentials in %s, which were sealed with another key; start with that key (WARROOM_SECRET_KEY or --secret-key-file)", m.keySource, Redact(m.Config.Database))
		} else if errors.Is(err, store.ErrAuditKeyMismatch) {
			return fmt.Errorf("secret key: the key from %s is not the one the audit log in %s was MACed with; start with that key (WARROOM_SECRET_KEY or --secret-key-file)", m.keySource, Redact(m.Config.Database))
		} else if err != nil {
			return fmt.Errorf("open database %s: %w", Redact(m.Config.Database), err)
		}
		m.DB, m.ownDB = db, true
	}
	m.Logger.Info("database open", "engine", m.DB.Engine(), "database", Redact(m.Config.Database))
	m.openMetrics()

	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	if err := m.recordCheckpointSettings(ctx); err != nil {
		return err
	}
	if err := m.openPager(); err != nil {
		return err
	}
	if m.comms, err = m.communications(); err != nil {
		return fmt.Errorf("communications: %w", err)
	}
	if m.retention, err = m.Config.Retention(); err != nil {
		return err
	}
	// Paging runs first in every tick: a wake for a new incident must not
	// wait behind stakeholder notices, reminders or housekeeping. What those
	// queue for delivery goes out in the next tick, within the interval.
	m.Engine = engine.New(engine.Options{Now: m.Now, Logger: m.Logger, Observe: m.observeTick()}, append(append(m.pagingModules(), m.engineModules()...), m.auditModules()...)...)
	m.alertEngine = engine.New(engine.Options{Now: m.Now, Logger: m.Logger, Observe: m.observeTick()}, m.alertModules()...)
	h, err := m.handler()
	if err != nil {
		return err
	}
	m.Server = server.New(m.Config.Addr, h, m.Logger)
	if err := m.Server.Open(); err != nil {
		return err
	}
	if err := m.serveMetrics(); err != nil {
		return err
	}
	if m.Config.PublicURL == "" {
		// Links in notifications point where the server really listens.
		m.Pager.Links().SetBaseURL(m.Server.URL())
		m.comms.SetBaseURL(m.Server.URL())
	}
	m.startEngine()
	return nil
}

// handler wires the HTTP surfaces onto one mux: the API owns /healthz,
// /readyz and /api/, the web UI everything else.
func (m *Main) handler() (http.Handler, error) {
	db := m.DB
	apiHandler := api.New(api.Deps{
		Incidents: db, Severity: db, Services: db, Roles: db, SOPs: db,
		Timeline: db, Users: db, Audit: db,
		Changes: db, ChangePolicy: db, ChangeKeys: db, Insights: db,
		Teams: db, Approvals: db, AuditVerifier: db, Invites: db, Refusals: db,
		Postmortems: db, ActionItems: db, Reminders: db, Search: db, Calendars: db,
		Stakeholders: db, StatusPage: db, Subscribers: db,
		Schedules: db, Escalations: db, Contacts: db, Notifications: db,
		Integrations: db, Alerts: db, Routing: db, Monitors: db, Maintenance: db, Drills: db,
		Hooks:  db,
		Ready:  db.Ping,
		Logger: m.Logger,
	})
	mux := http.NewServeMux()
	mux.Handle("/healthz", apiHandler)
	mux.Handle("/readyz", apiHandler)
	mux.Handle("/api/", apiHandler)
	// Acknowledge and resolve links in notifications authenticate by
	// their signature, not by a session.
	mux.Handle("/l/", m.linkHandler())
	// SMS and voice providers call back here, authenticated by their
	// signatures.
	if m.phoneHooks != nil {
		mux.Handle("/hooks/twilio/", m.phoneHooks)
	}
	// PagerDuty-compatible endpoints keep PagerDuty's paths so that its
	// clients need only the host changed.
	mux.Handle("/v2/", apiHandler)
	// Alert ingest, authenticated by integration key; see httpingest.Routes.
	m.Ingest = httpingest.New(httpingest.Deps{
		Integrations: db, Alerts: db, Monitors: db,
		Wake: m.alertEngine.Wake, Logger: m.Logger, Writers: ingestWriters(db),
	})
	mux.Handle("/v2/enqueue", m.Ingest)
	mux.Handle("/ingest/", m.Ingest)

	// The web UI: the one place it is mounted.
	oidcConfig, err := m.Config.OIDC()
	if err != nil {
		return nil, err
	}
	// Built before the UI, which renders drill previews with its templates.
	statusHandler, err := m.statusPage()
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	uiHandler, err := ui.New(ui.Deps{
		Incidents: db, Severity: db, Services: db, Roles: db, SOPs: db,
		Timeline: db, Users: db, Sessions: db,
		Changes: db, ChangePolicy: db, Insights: db,
		Teams: db, OIDC: oidcConfig, Audit: db, AuditVerifier: db, Approvals: db, Invites: db, Refusals: db,
		Postmortems: db, ActionItems: db, Search: db, Calendars: db,
		Stakeholders: db, StatusPage: db, Subscribers: db,
		Schedules: db, Escalations: db, Contacts: db,
		Alerts: db, Integrations: db, Routing: db, Monitors: db, Maintenance: db,
		Drills: db, DrillPreview: statusHandler,
		Hooks:  db,
		Logger: m.Logger,
		// People reach an https:// public URL through a proxy that ends
		// TLS: the browser still sees HTTPS, so cookies must be Secure.
		Secure: strings.HasPrefix(strings.ToLower(m.Config.PublicURL), "https://"),
	})
	if err != nil {
		return nil, fmt.Errorf("web ui: %w", err)
	}
	// The public status page: the one place served without login.
	mux.Handle("/status", statusHandler)
	mux.Handle("/status/", statusHandler)
	mux.Handle("/", uiHandler)

	return server.WithMiddleware(m.instrument(mux), m.Logger), nil
}

// bootstrap creates the first admin when the database has no users. Its
// token and password come from the environment or are generated and
// printed once, here and nowhere else: they are never logged.
func (m *Main) bootstrap(ctx context.Context) error {
	u, secret, err := m.DB.Bootstrap(ctx, "admin", "admin@localhost", m.Config.BootstrapToken)
	if warroom.ErrorField(err) == "token" {
		return fmt.Errorf("WARROOM_BOOTSTRAP_TOKEN: %s", strings.TrimPrefix(warroom.ErrorMessage(err), "token: "))
	} else if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	} else if u == nil {
		return nil
	}
	password := m.Config.BootstrapPassword
	if password == "" {
		if password, err = newPassword(); err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
	}
	if err := m.DB.SetPassword(ctx, u.ID, password); warroom.ErrorCode(err) == warroom.EINVALID {
		return fmt.Errorf("WARROOM_BOOTSTRAP_PASSWORD: %s", warroom.ErrorMessage(err))
	} else if err != nil {
		return fmt.Errorf("bootstrap: set password: %w", err)
	}
	m.Logger.Info("created the first admin", "email", u.Email)
	// A new installation starts with checklists so that its first incident
	// already has a plan; they are attributed to the admin in the audit log.
	actx := warroom.NewContextWithUser(ctx, u)
	for _, t := range warroom.DefaultSOPTemplates() {
		if err := m.DB.CreateSOPTemplate(actx, t); err != nil {
			return fmt.Errorf("bootstrap: SOP template %q: %w", t.Name, err)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\nwarroom: created the first admin, %s. These are shown once; keep them safe.\n", u.Email)
	if m.Config.BootstrapToken == "" {
		fmt.Fprintf(&b, "  API token: %s   (for the CLI: export WARROOM_TOKEN=...)\n", secret)
	}
	if m.Config.BootstrapPassword == "" {
		fmt.Fprintf(&b, "  password:  %s   (for the web UI)\n", password)
	}
	b.WriteString("\n")
	_, err = io.WriteString(m.Stderr, b.String())
	return err
}

// newPassword returns 24 random URL-safe characters (144 bits).
func newPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Close stops the server, waiting for in-flight requests up to
// shutdownTimeout, and closes the database if Run opened it.
func (m *Main) Close() error {
	var errs []error
	if m.Server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		errs = append(errs, m.Server.Close(ctx))
	}
	if m.MetricsServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		errs = append(errs, m.MetricsServer.Close(ctx))
	}
	// Requests already queued for the group commit are committed before
	// the database closes; then the engine finishes its tick.
	if m.Ingest != nil {
		m.Ingest.Close()
	}
	m.stopEngineAndWait()
	if m.Pager != nil {
		m.Pager.Close()
	}
	if m.DB != nil && m.ownDB {
		errs = append(errs, m.DB.Close())
		m.DB, m.ownDB = nil, false
	}
	return errors.Join(errs...)
}

// Redact hides the password of a database URL for logs and errors.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

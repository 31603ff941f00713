package ui

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/i18n"
)

// lang renders text, numbers, dates and durations for one request: in the
// user's language and time zone, relative to one "now" taken per request.
type lang struct {
	*i18n.Localizer
	Loc     *time.Location
	Now     time.Time
	printer *message.Printer
}

// lang picks the user's language and zone, or the browser's language and
// UTC before login.
func (h *Handler) lang(r *http.Request, u *warroom.User) *lang {
	locale, tz := "", "UTC"
	if u != nil {
		locale, tz = u.Locale, u.TimeZone
	}
	code := h.catalog.Match(locale, r.Header.Get("Accept-Language"))
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	tag := language.English
	if code == i18n.Chinese {
		tag = language.SimplifiedChinese
	}
	return &lang{Localizer: h.catalog.Localizer(code), Loc: loc, Now: h.d.Now(), printer: message.NewPrinter(tag)}
}

// Time formats an instant in the user's zone, with the zone's abbreviation
// so that nobody has to guess.
func (l *lang) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(l.Loc).Format("2006-01-02 15:04 MST")
}

// TimePtr formats an optional instant.
func (l *lang) TimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return l.Time(*t)
}

// ISO formats an instant for <time datetime> and the countdown script.
func (l *lang) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Num formats an integer with the language's digit grouping.
func (l *lang) Num(n int64) string { return l.printer.Sprintf("%d", n) }

// Money formats an amount with grouping and its currency code.
func (l *lang) Money(m warroom.Money) string {
	if m.IsZero() {
		return "0"
	}
	whole, frac, _ := strings.Cut(m.Amount.String(), ".")
	var n int64
	for _, c := range strings.TrimPrefix(whole, "-") {
		n = n*10 + int64(c-'0')
	}
	s := l.Num(n)
	if strings.HasPrefix(whole, "-") {
		s = "-" + s
	}
	if frac != "" {
		s += "." + frac
	}
	return strings.TrimSpace(s + " " + m.Currency)
}

// Duration renders d in at most two units, "2d 3h", "3h 12m", "12m 5s".
// The countdown script uses the same rule with the same unit names.
func (l *lang) Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	days, hours := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	mins, secs := int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	unit := func(n int64, u string) string { return l.T("dur."+u, "N", n) }
	switch {
	case days > 0:
		return unit(days, "d") + " " + unit(hours, "h")
	case hours > 0:
		return unit(hours, "h") + " " + unit(mins, "m")
	case mins > 0:
		return unit(mins, "m") + " " + unit(secs, "s")
	}
	return unit(secs, "s")
}

// Until says how long is left before t, or how long ago it passed.
func (l *lang) Until(t time.Time) string {
	d := t.Sub(l.Now)
	if d < 0 {
		return l.T("dur.overdue", "D", l.Duration(d))
	}
	return l.T("dur.left", "D", l.Duration(d))
}

// Ago says how long ago t was.
func (l *lang) Ago(t time.Time) string { return l.T("dur.ago", "D", l.Duration(l.Now.Sub(t))) }

// Past reports whether t is before the request's now.
func (l *lang) Past(t time.Time) bool { return t.Before(l.Now) }

// State, Type, Kind and Sev name domain values in the user's language.
func (l *lang) State(s warroom.State) string       { return l.T("state." + string(s)) }
func (l *lang) Type(t warroom.IncidentType) string { return l.T("type." + string(t)) }
func (l *lang) Kind(k warroom.EventKind) string    { return l.T("kind." + string(k)) }
func (l *lang) Role(name string) string {
	if warroom.SingleHolderRole(name) {
		return l.T("role." + name)
	}
	return name
}

// Change reads the {"from","to"} details that state and severity events
// carry and renders them as "from → to", translating states.
func (l *lang) Change(e *warroom.Event) string {
	var d struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if len(e.Data) == 0 || json.Unmarshal(e.Data, &d) != nil || d.To == "" {
		return ""
	}
	name := func(s string) string {
		if warroom.State(s).Valid() {
			return l.State(warroom.State(s))
		}
		return s
	}
	if d.From == "" {
		return name(d.To)
	}
	return name(d.From) + " → " + name(d.To)
}

// Criteria describes a severity rule's conditions in the user's language.
func (l *lang) Criteria(r warroom.SeverityRule) string {
	var parts []string
	if r.MinUsersAffected != nil {
		parts = append(parts, l.T("criteria.users", "N", l.Num(*r.MinUsersAffected)))
	}
	if r.MinOrdersAffected != nil {
		parts = append(parts, l.T("criteria.orders", "N", l.Num(*r.MinOrdersAffected)))
	}
	if r.MinMoneyAffected != nil {
		parts = append(parts, l.T("criteria.money", "N", l.Money(*r.MinMoneyAffected)))
	}
	if r.ComplianceImpact != nil {
		if *r.ComplianceImpact {
			parts = append(parts, l.T("criteria.compliance"))
		} else {
			parts = append(parts, l.T("criteria.no_compliance"))
		}
	}
	if r.NoRecoveryPath != nil && *r.NoRecoveryPath {
		parts = append(parts, l.T("criteria.no_recovery"))
	}
	return strings.Join(parts, l.T("criteria.and"))
}

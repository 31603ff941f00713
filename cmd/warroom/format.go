package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// age renders a duration the way people say it: 45s, 12m, 3h5m, 2d4h.
func age(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

// slaCell summarises where an incident stands against its SLA in a few
// words: the next target and how long is left, or how far it is overdue.
func slaCell(inc *warroom.Incident, now time.Time) string {
	s := inc.SLA
	if s == nil {
		return "-"
	}
	if !inc.State.Open() {
		if s.AckBreached || s.ResolveBreached {
			return "breached"
		}
		return "met"
	}
	if inc.AcknowledgedAt == nil {
		if now.After(s.AckDue) {
			return "ACK OVERDUE " + age(now.Sub(s.AckDue))
		}
		return "ack in " + age(s.AckDue.Sub(now))
	}
	if now.After(s.ResolveDue) {
		return "RESOLVE OVERDUE " + age(now.Sub(s.ResolveDue))
	}
	return "resolve in " + age(s.ResolveDue.Sub(now))
}

// dueLine renders one SLA target: its time and whether it is met, missed or
// how long is left.
func dueLine(due time.Time, doneAt *time.Time, breached bool, now time.Time) string {
	at := due.UTC().Format(time.RFC3339)
	switch {
	case doneAt != nil && breached:
		return at + " (BREACHED: met " + age(doneAt.Sub(due)) + " late)"
	case doneAt != nil:
		return at + " (met)"
	case breached || now.After(due):
		return at + " (BREACHED " + age(now.Sub(due)) + " ago)"
	}
	return at + " (in " + age(due.Sub(now)) + ")"
}

// severityLine says what the severity is and why: "P1 (proposed P1: rule
// "major user impact": users affected ≥ 10000)".
func severityLine(inc *warroom.Incident) string {
	return fmt.Sprintf("%s (proposed %s: %s)", inc.Severity, inc.ProposedSeverity, inc.SeverityReason)
}

// impactLine renders the impact numbers that are known.
func impactLine(im warroom.Impact) string {
	var parts []string
	if im.UsersAffected > 0 {
		parts = append(parts, fmt.Sprintf("%d users", im.UsersAffected))
	}
	if !im.MoneyAffected.IsZero() {
		parts = append(parts, im.MoneyAffected.String())
	}
	if im.OrdersAffected > 0 {
		parts = append(parts, fmt.Sprintf("%d orders", im.OrdersAffected))
	}
	if im.ComplianceImpact {
		c := "compliance impact"
		if im.ComplianceNote != "" {
			c += " (" + im.ComplianceNote + ")"
		}
		parts = append(parts, c)
	}
	switch {
	case im.RecoveryPathAvailable == nil:
		parts = append(parts, "recovery path unknown")
	case *im.RecoveryPathAvailable:
		parts = append(parts, "recovery path available")
	default:
		parts = append(parts, "NO recovery path")
	}
	return strings.Join(parts, ", ")
}

// lossLine renders the recorded loss, or "" when none is.
func lossLine(l warroom.Loss) string {
	var parts []string
	if !l.MoneyLost.IsZero() {
		parts = append(parts, l.MoneyLost.String()+" lost")
	}
	if !l.CompensationPaid.IsZero() {
		parts = append(parts, l.CompensationPaid.String()+" compensation")
	}
	if l.OrdersLost > 0 {
		parts = append(parts, fmt.Sprintf("%d orders lost", l.OrdersLost))
	}
	if l.DowntimeMinutes > 0 {
		parts = append(parts, fmt.Sprintf("%s downtime", age(time.Duration(l.DowntimeMinutes)*time.Minute)))
	}
	if l.Note != "" {
		parts = append(parts, l.Note)
	}
	return strings.Join(parts, ", ")
}

// truncate shortens s to n characters for a table cell.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// stateNames joins states for messages.
func stateNames(ss []warroom.State) string {
	if len(ss) == 0 {
		return "none"
	}
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

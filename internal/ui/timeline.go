package ui

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/warroomhq/warroom"
)

// Timeline views: "" shows what people did, with each escalation level's
// pages folded into one line; timelineAll shows every event as written.
const timelineAll = "all"

// pagingKinds are the events the engine writes while paging; a page adds
// one per person and attempt, so they are folded by default.
var pagingKinds = map[warroom.EventKind]bool{
	warroom.EventNotificationSent:   true,
	warroom.EventNotificationRetry:  true,
	warroom.EventNotificationFailed: true,
}

// timelineItem is one line of the timeline: an event, or an escalation
// level with the notifications it sent folded under it.
type timelineItem struct {
	Event *warroom.Event
	// Fold holds the level's notifications, newest first; Sent and Failed
	// count them for the summary line.
	Fold         []*warroom.Event
	Level        int
	Sent, Failed int
}

// eventLevel reads the escalation level an escalated or notification event
// carries; 0 when it has none (a page by hand, an SLA page).
func eventLevel(e *warroom.Event) int {
	var d struct {
		Level int `json:"level"`
	}
	if len(e.Data) > 0 {
		_ = json.Unmarshal(e.Data, &d)
	}
	return d.Level
}

// foldTimeline turns newest-first events into timeline lines. Each
// notification joins the line of the escalation event of its level that
// came before it; notifications with no such event share one line per
// level, placed where the newest of them is.
func foldTimeline(evs []*warroom.Event, fold bool) []*timelineItem {
	out := make([]*timelineItem, 0, len(evs))
	if !fold {
		for _, e := range evs {
			out = append(out, &timelineItem{Event: e})
		}
		return out
	}
	// Walk oldest first so that an escalation precedes its pages.
	items := make([]*timelineItem, 0, len(evs))
	open := map[int]*timelineItem{}
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		switch {
		case e.Kind == warroom.EventEscalated:
			it := &timelineItem{Event: e, Level: eventLevel(e)}
			open[it.Level] = it
			items = append(items, it)
		case pagingKinds[e.Kind]:
			lvl := eventLevel(e)
			it := open[lvl]
			if it == nil {
				it = &timelineItem{Level: lvl}
				open[lvl] = it
				items = append(items, it)
			}
			it.Fold = append([]*warroom.Event{e}, it.Fold...)
			if e.Kind == warroom.EventNotificationSent {
				it.Sent++
			} else if e.Kind == warroom.EventNotificationFailed {
				it.Failed++
			}
		default:
			items = append(items, &timelineItem{Event: e})
		}
	}
	for i := len(items) - 1; i >= 0; i-- {
		out = append(out, items[i])
	}
	return out
}

// At is when the line happened: its event's time, or its newest page's.
func (it *timelineItem) At() time.Time {
	if it.Event != nil {
		return it.Event.At
	}
	return it.Fold[0].At
}

// systemText recognises a text the store writes in English and names the
// message that says it in the reader's language; the groups fill the
// message's fields in order.
type systemText struct {
	kinds  []warroom.EventKind
	re     *regexp.Regexp
	msg    string
	fields []string
}

var systemTexts = []systemText{
	{[]warroom.EventKind{warroom.EventNotificationSent}, regexp.MustCompile(`^Notified (.*) by (\S+) \((\S+), attempt (\d+)\)$`), "evtext.notified", []string{"Name", "Channel", "Why", "Attempt"}},
	{[]warroom.EventKind{warroom.EventNotificationRetry}, regexp.MustCompile(`^Could not notify (.*) by (\S+) \(attempt (\d+)\), retrying at (\S+): (.*)$`), "evtext.notify_retry", []string{"Name", "Channel", "Attempt", "At", "Error"}},
	{[]warroom.EventKind{warroom.EventNotificationFailed}, regexp.MustCompile(`^Gave up notifying (.*) by (\S+) after (\d+) attempts: (.*)$`), "evtext.notify_failed", []string{"Name", "Channel", "Attempt", "Error"}},
	{[]warroom.EventKind{warroom.EventEscalated}, regexp.MustCompile(`^Level (\d+) of (.*) paged: (.*?)(?:; no verified contact method: (.*?))?(?:; not paged, not in the drill: (.*))?$`), "evtext.level_paged", []string{"Level", "Policy", "Names", "Unreachable", "Held"}},
	{[]warroom.EventKind{warroom.EventEscalated}, regexp.MustCompile(`^Level (\d+) of (.*) reached nobody(?:; no verified contact method: (.*?))?(?:; not paged, not in the drill: (.*))?$`), "evtext.level_nobody", []string{"Level", "Policy", "Unreachable", "Held"}},
	{[]warroom.EventKind{warroom.EventEscalated}, regexp.MustCompile(`^Paged (.*) by hand$`), "evtext.paged_by_hand", []string{"Name"}},
	{[]warroom.EventKind{warroom.EventTaskAdded}, regexp.MustCompile(`^SOP "(.*)": (\d+) tasks added$`), "evtext.sop_tasks", []string{"Name", "N"}},
	{[]warroom.EventKind{warroom.EventPostmortem}, regexp.MustCompile(`^postmortem started$`), "evtext.pm_started", nil},
	{[]warroom.EventKind{warroom.EventPostmortem}, regexp.MustCompile(`^postmortem submitted for review$`), "evtext.pm_submitted", nil},
	{[]warroom.EventKind{warroom.EventPostmortem}, regexp.MustCompile(`^postmortem approved$`), "evtext.pm_approved", nil},
	{[]warroom.EventKind{warroom.EventPostmortem}, regexp.MustCompile(`^postmortem published$`), "evtext.pm_published", nil},
	{[]warroom.EventKind{warroom.EventPostmortem}, regexp.MustCompile(`^changes requested on the postmortem: (.*)$`), "evtext.pm_changes", []string{"Comment"}},
	{[]warroom.EventKind{warroom.EventActionItem}, regexp.MustCompile(`^action item: (.*)$`), "evtext.action_item", []string{"Title"}},
	{[]warroom.EventKind{warroom.EventChangeUnlinked}, regexp.MustCompile(`^(\S+) no longer suspected$`), "evtext.change_unlinked", []string{"Number"}},
	{[]warroom.EventKind{warroom.EventChangeRolledBack}, regexp.MustCompile(`^(\S+) (.*) rolled back$`), "evtext.change_rolled_back", []string{"Number", "Title"}},
}

// EventText is an event's text for the reader. People's notes are shown as
// written; what the system wrote in English is said again in the reader's
// language, names and numbers kept; task titles written in both languages
// show the reader's half.
func (l *lang) EventText(e *warroom.Event) string {
	switch e.Kind {
	case warroom.EventNote, warroom.EventStatusUpdate, warroom.EventDeclared:
		return e.Text
	case warroom.EventTaskAdded, warroom.EventTaskUpdated, warroom.EventTaskCompleted, warroom.EventTaskReopened:
		if !strings.HasPrefix(e.Text, "SOP ") {
			return l.Bilingual(e.Text)
		}
	case warroom.EventRoleAssigned, warroom.EventRoleEnded:
		if role, name, ok := strings.Cut(e.Text, ": "); ok && warroom.SingleHolderRole(role) {
			return l.Role(role) + ": " + name
		}
	}
	if l.Lang() == "en" {
		return e.Text
	}
	for _, st := range systemTexts {
		if !kindIn(e.Kind, st.kinds) {
			continue
		}
		m := st.re.FindStringSubmatch(e.Text)
		if m == nil {
			continue
		}
		kv := make([]any, 0, 2*len(st.fields))
		for i, f := range st.fields {
			v := m[i+1]
			switch f {
			case "Channel":
				v = l.tOr("contact.type."+v, v)
			case "Name":
				if st.msg == "evtext.sop_tasks" {
					v = l.Bilingual(v)
				}
			case "Why":
				v = l.tOr("evtext.why."+v, v)
			}
			kv = append(kv, f, v)
		}
		return l.T(st.msg, kv...)
	}
	return e.Text
}

// tOr is message id, or fallback when the catalogue has no such message
// (a channel or reason added after this catalogue).
func (l *lang) tOr(id, fallback string) string {
	if s := l.T(id); s != id {
		return s
	}
	return fallback
}

func kindIn(k warroom.EventKind, ks []warroom.EventKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Bilingual picks the reader's half of a text written "English / 中文", as
// the default SOP templates are; any other text is returned as it is.
func (l *lang) Bilingual(s string) string {
	en, zh, ok := strings.Cut(s, " / ")
	if !ok || hasHan(en) || !hasHan(zh) {
		return s
	}
	if l.Lang() == "en" {
		return strings.TrimSpace(en)
	}
	return strings.TrimSpace(zh)
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TimeSec formats an instant to the second, in the reader's zone: a
// timeline where every event reads "08:48" cannot be put in order.
func (l *lang) TimeSec(t time.Time) string {
	return t.In(l.Loc).Format("2006-01-02 15:04:05 MST")
}

// Clock is the time of day to the second; the date is shown once per day.
func (l *lang) Clock(t time.Time) string { return t.In(l.Loc).Format("15:04:05") }

// Relative says how long ago t was, or how far ahead it is.
func (l *lang) Relative(t time.Time) string {
	if t.After(l.Now) {
		return l.Until(t)
	}
	if l.Now.Sub(t) < time.Minute {
		return l.T("dur.just_now")
	}
	return l.Ago(t)
}

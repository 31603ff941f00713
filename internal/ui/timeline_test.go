package ui

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/i18n"
)

func testLang(t *testing.T, code string) *lang {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return &lang{Localizer: cat.Localizer(code), Loc: time.UTC, Now: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
}

// TestEventTextChinese feeds the texts the store writes, in its own words,
// and wants them said in Chinese with only the names left in Latin script.
func TestEventTextChinese(t *testing.T) {
	zh, en := testLang(t, "zh-CN"), testLang(t, "en")
	tests := []struct {
		kind warroom.EventKind
		text string
		want string
	}{
		{warroom.EventNotificationSent, "Notified Ana Li by feishu (page, attempt 1)", "已通过飞书通知 Ana Li（呼叫，第 1 次）"},
		{warroom.EventNotificationRetry, "Could not notify Ana Li by email (attempt 2), retrying at 2026-03-01T08:00:00Z: timeout", "无法通过邮件通知 Ana Li（第 2 次），将于 2026-03-01T08:00:00Z 重试：timeout"},
		{warroom.EventNotificationFailed, "Gave up notifying Ana Li by dingtalk after 10 attempts: 403", "通过钉钉通知 Ana Li 失败，已尝试 10 次：403"},
		{warroom.EventEscalated, "Level 2 of payments paged: Ana Li, Bo Wu", "payments 第 2 级已呼叫：Ana Li, Bo Wu"},
		{warroom.EventEscalated, "Level 1 of payments paged: Ana Li; no verified contact method: Bo Wu", "payments 第 1 级已呼叫：Ana Li；无已验证的联系方式：Bo Wu"},
		{warroom.EventEscalated, "Level 1 of payments reached nobody; no verified contact method: Bo Wu", "payments 第 1 级未呼叫到任何人；无已验证的联系方式：Bo Wu"},
		{warroom.EventEscalated, "Paged Bo Wu by hand", "已手动呼叫 Bo Wu"},
		{warroom.EventTaskAdded, `SOP "Major incident / 重大事故": 7 tasks added`, "SOP“重大事故”：新增 7 项任务"},
		{warroom.EventTaskCompleted, "Assign an incident commander / 指定事故指挥官", "指定事故指挥官"},
		{warroom.EventPostmortem, "postmortem started", "复盘已开始"},
		{warroom.EventRoleAssigned, "commander: Ana Li", "指挥官: Ana Li"},
		{warroom.EventNote, "Rolled back the deploy", "Rolled back the deploy"},
	}
	for _, tt := range tests {
		e := &warroom.Event{Kind: tt.kind, Text: tt.text}
		if got := zh.EventText(e); got != tt.want {
			t.Errorf("zh %s %q = %q, want %q", tt.kind, tt.text, got, tt.want)
		}
		if got := en.EventText(e); strings.ContainsAny(got, "第已") {
			t.Errorf("en %q = %q, want English", tt.text, got)
		}
	}
	if got := en.EventText(&warroom.Event{Kind: warroom.EventTaskAdded, Text: "Assign an incident commander / 指定事故指挥官"}); got != "Assign an incident commander" {
		t.Errorf("en bilingual task = %q", got)
	}
	// Every message the table names exists in both languages.
	for _, l := range []*lang{zh, en} {
		for _, st := range systemTexts {
			if l.T(st.msg) == st.msg {
				t.Errorf("%s: no message %s", l.Lang(), st.msg)
			}
		}
	}
	if regexp.MustCompile(`evtext\.`).MatchString(zh.EventText(&warroom.Event{Kind: warroom.EventNotificationSent, Text: "Notified X by pigeon (carrier, attempt 1)"})) {
		t.Error("an unknown channel shows a raw message ID")
	}
}

func TestFoldTimeline(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	ev := func(id int64, kind warroom.EventKind, level int) *warroom.Event {
		d, _ := json.Marshal(map[string]int{"level": level})
		return &warroom.Event{ID: id, Kind: kind, At: at.Add(time.Duration(id) * time.Second), Data: d}
	}
	// Newest first, as the store returns them.
	evs := []*warroom.Event{
		ev(9, warroom.EventNote, 0),
		ev(8, warroom.EventNotificationFailed, 2),
		ev(7, warroom.EventNotificationSent, 2),
		ev(6, warroom.EventEscalated, 2),
		ev(5, warroom.EventNotificationSent, 1),
		ev(4, warroom.EventNotificationSent, 1),
		ev(3, warroom.EventNotificationSent, 1),
		ev(2, warroom.EventEscalated, 1),
		ev(1, warroom.EventDeclared, 0),
	}
	items := foldTimeline(evs, true)
	var got []string
	for _, it := range items {
		s := string(it.Event.Kind)
		if len(it.Fold) > 0 {
			s += "+" + strings.Repeat("n", len(it.Fold))
		}
		got = append(got, s)
	}
	want := "note escalated+nn escalated+nnn declared"
	if strings.Join(got, " ") != want {
		t.Errorf("folded = %q, want %q", strings.Join(got, " "), want)
	}
	if items[1].Sent != 1 || items[1].Failed != 1 || items[2].Sent != 3 {
		t.Errorf("counts: level 2 sent %d failed %d, level 1 sent %d", items[1].Sent, items[1].Failed, items[2].Sent)
	}
	if items[2].Fold[0].ID != 5 {
		t.Errorf("fold not newest first: %d", items[2].Fold[0].ID)
	}
	if n := len(foldTimeline(evs, false)); n != len(evs) {
		t.Errorf("unfolded = %d lines, want %d", n, len(evs))
	}
}

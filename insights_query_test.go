package warroom_test

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func TestParseInsightsQuery(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	q, err := warroom.ParseInsightsQuery(url.Values{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Filter.To.Equal(now) || !q.Filter.From.Equal(now.AddDate(0, 0, -30)) {
		t.Errorf("default range = %v – %v", q.Filter.From, q.Filter.To)
	}
	q, err = warroom.ParseInsightsQuery(url.Values{"from": {"2026-01-01"}, "to": {"2026-02-01T00:00:00+08:00"}, "severity": {"p1,P2", "P0"},
		"service": {"checkout"}, "team": {"payments"}, "type": {"data_loss"}, "cause": {"Human"}, "drills": {"include"}, "group_by": {"Week"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	f := q.Filter
	if !f.From.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !f.To.Equal(time.Date(2026, 1, 31, 16, 0, 0, 0, time.UTC)) ||
		!reflect.DeepEqual(f.Severities, []warroom.Severity{warroom.P1, warroom.P2, warroom.P0}) || q.Service != "checkout" ||
		*f.Team != "payments" || *f.Type != warroom.TypeDataLoss || *f.Cause != warroom.CauseHuman || f.Drills != warroom.DrillsInclude || f.GroupBy != warroom.GroupByWeek {
		t.Errorf("parsed %+v", q)
	}
	back, err := warroom.ParseInsightsQuery(q.Values(), now)
	if err != nil || !reflect.DeepEqual(back, q) {
		t.Errorf("Values does not read back: %+v, %v", back, err)
	}
	for _, c := range []struct {
		q     url.Values
		field string
	}{
		{url.Values{"from": {"yesterday"}}, "from"},
		{url.Values{"to": {"2026-13-01"}}, "to"},
		{url.Values{"from": {"2026-02-01"}, "to": {"2026-01-01"}}, "to"},
		{url.Values{"from": {"2020-01-01"}, "to": {"2026-01-01"}}, "to"},
		{url.Values{"severity": {"P9"}}, "severity"},
		{url.Values{"type": {"meteor"}}, "type"},
		{url.Values{"cause": {"luck"}}, "cause"},
		{url.Values{"drills": {"sometimes"}}, "drills"},
		{url.Values{"group_by": {"year"}}, "group_by"},
	} {
		if _, err := warroom.ParseInsightsQuery(c.q, now); warroom.ErrorCode(err) != warroom.EINVALID || warroom.ErrorField(err) != c.field {
			t.Errorf("%v: %v, want invalid %s", c.q, err, c.field)
		}
	}
}

func FuzzParseInsightsQuery(f *testing.F) {
	for _, s := range []string{"", "from=2026-01-01&to=2026-02-01", "severity=P1,p2&group_by=team", "drills=only&cause=none", "to=2026-01-01T00:00:00Z&from=x", "from=9999-12-31"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := warroom.ParseInsightsQuery(v, now)
		if err != nil {
			if warroom.ErrorCode(err) != warroom.EINVALID || warroom.ErrorField(err) == "" {
				t.Fatalf("%q: %v is not invalid naming a field", raw, err)
			}
			return
		}
		if err := q.Filter.Validate(); err != nil {
			t.Fatalf("%q: accepted a filter that does not validate: %v", raw, err)
		}
		if !q.Filter.From.Before(q.Filter.To) {
			t.Fatalf("%q: range %v – %v", raw, q.Filter.From, q.Filter.To)
		}
	})
}

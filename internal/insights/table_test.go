package insights_test

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/insights"
)

func TestWriteCSVQuotesFormulas(t *testing.T) {
	tb := insights.Table{Header: []string{"incident", "over_s", "title"}, Rows: [][]string{{"INC-1", "-5", "=HYPERLINK(\"x\")"}, {"INC-2", "7", "plain, with comma"}}}
	var b strings.Builder
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "incident,over_s,title\nINC-1,-5,\"'=HYPERLINK(\"\"x\"\")\"\nINC-2,7,\"plain, with comma\"\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestTablesOfEveryReport(t *testing.T) {
	rate := 50.0
	for _, c := range []struct {
		report any
		names  []string
		first  []string
	}{
		{&warroom.IncidentInsights{Groups: []warroom.IncidentInsightsRow{{Key: "all", Incidents: 2, Resolve: warroom.DurationStats{Count: 1, Mean: 60, Median: 60, P90: 60}}}},
			[]string{"incidents", "noisiest"}, []string{"all", "2", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "60", "60", "60", "0", "0", "0", "0", "0"}},
		{&warroom.SLAInsights{Rows: []warroom.SLAInsightsRow{{Key: "all", Severity: warroom.P1, Acknowledge: warroom.SLATargetCount{Met: 1, Breached: 1, Compliance: &rate}}}},
			[]string{"sla", "breaches"}, []string{"all", "P1", "0", "0", "1", "1", "0", "50.0", "0", "0", "0", "0", ""}},
		{&warroom.LossInsights{Groups: []warroom.LossTotals{{Key: "all", MoneyLost: []warroom.CurrencyTotal{{Currency: "CNY", Amount: 500000}, {Currency: "USD", Amount: 150}}}}},
			[]string{"loss", "loss_incidents"}, []string{"all", "0", "0", "5000 CNY; 1.50 USD", "", "0", "0", "0"}},
		{&warroom.OnCallInsights{}, []string{"pages", "pages_by_hour"}, nil},
		{&warroom.ActionItemInsights{Total: warroom.ActionItemInsightsRow{Team: "all", Total: 1, Open: 1}}, []string{"action_items"}, []string{"all", "1", "1", "0", "0", "0", "0", "0"}},
		{&warroom.ChangeInsights{Total: warroom.ChangeInsightsRow{Key: "all", Changes: 4, Failed: 2, FailureRate: &rate}}, []string{"changes"}, []string{"all", "4", "2", "50.0", "0", "0", "0", "0", "0", "0", "0", "0"}},
	} {
		ts := insights.Tables(c.report)
		var names []string
		for _, tb := range ts {
			names = append(names, tb.Name)
			for _, r := range tb.Rows {
				if len(r) != len(tb.Header) {
					t.Errorf("%s: row %q has %d cells for %d columns", tb.Name, r, len(r), len(tb.Header))
				}
			}
		}
		if strings.Join(names, ",") != strings.Join(c.names, ",") {
			t.Errorf("tables %v, want %v", names, c.names)
		}
		if c.first != nil && strings.Join(ts[0].Rows[0], "|") != strings.Join(c.first, "|") {
			t.Errorf("%s first row = %q, want %q", ts[0].Name, ts[0].Rows[0], c.first)
		}
	}
	if len(insights.Tables(42)) != 0 {
		t.Error("tables of a non-report")
	}
}

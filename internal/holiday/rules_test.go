package holiday

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEaster(t *testing.T) {
	for y, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25"} {
		if got := easter(y).Format("2006-01-02"); got != want {
			t.Errorf("easter(%d) = %s, want %s", y, got, want)
		}
	}
}

// TestRuledRegions lists the published days of 2026 and 2027 for each
// ruled region, substitutes and observed days included.
func TestRuledRegions(t *testing.T) {
	tests := []struct {
		region string
		year   int
		want   []string
	}{
		{"US", 2026, []string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"}},
		// 1 January 2028 is a Saturday: observed on Friday 31 December 2027.
		{"US", 2027, []string{"2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31"}},
		{"GB-ENG", 2026, []string{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"}},
		// Christmas on a Saturday, Boxing Day on a Sunday: Monday and Tuesday.
		{"GB-ENG", 2027, []string{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"}},
		{"DE", 2026, []string{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-25", "2026-12-26"}},
	}
	for _, tt := range tests {
		t.Run(tt.region+"/"+time.Date(tt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			days := Days(tt.region, tt.year, tt.year)
			var got []string
			for _, d := range days {
				if d.Kind != warroom.DayHoliday {
					t.Errorf("%s is %s", d.Date, d.Kind)
				}
				got = append(got, d.Date)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("days = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("day %d = %s, want %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestRegion(t *testing.T) {
	if r, ok := Region("cn"); !ok || r.LastYear < 2027 || r.TimeZone != "Asia/Shanghai" {
		t.Errorf("Region(cn) = %+v, %v", r, ok)
	}
	if _, ok := Region("XX"); ok {
		t.Error("Region(XX) found")
	}
	if d := Days("CN", 2030, 2030); len(d) != 0 {
		t.Errorf("CN 2030 = %v, want no data", d)
	}
}

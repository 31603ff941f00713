package store

import (
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, sqlite, pg string }{
		{"SELECT 1", "SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = ? AND b = ?", "a = $1 AND b = $2"},
		{`x LIKE ? ESCAPE '\' AND y = '?'`, `x LIKE ? ESCAPE '\' AND y = '?'`, `x LIKE $1 ESCAPE '\' AND y = '?'`},
		{"IN (?, ?, ?)", "IN (?, ?, ?)", "IN ($1, $2, $3)"},
	} {
		if got := (dialect{}).rebind(tc.in); got != tc.sqlite {
			t.Errorf("sqlite rebind(%q) = %q, want %q", tc.in, got, tc.sqlite)
		}
		if got := (dialect{postgres: true}).rebind(tc.in); got != tc.pg {
			t.Errorf("postgres rebind(%q) = %q, want %q", tc.in, got, tc.pg)
		}
	}
}

func TestTimeText(t *testing.T) {
	// Fixed-width text must sort like the instants it holds.
	ts := []time.Time{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 100_000_000, time.UTC),
		time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("x", -3600)),
	}
	var prev string
	for i, v := range ts {
		s := dialect{}.time(v).(string)
		if len(s) != len(timeLayout) || s <= prev {
			t.Fatalf("time %d = %q after %q: not fixed width and increasing", i, s, prev)
		}
		var back time.Time
		if err := scanTime(&back).Scan(s); err != nil || !back.Equal(v) {
			t.Fatalf("scan %q = %v, %v; want %v", s, back, err, v)
		}
		prev = s
	}
}

func TestEscapeLike(t *testing.T) {
	if got, want := escapeLike(`100%_a\b`), `100\%\_a\\b`; got != want {
		t.Fatalf("escapeLike = %q, want %q", got, want)
	}
}

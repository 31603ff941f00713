package warroom

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultAlertRetention is how long resolved alerts that joined no incident
// are kept: a quarter, enough to look back at last month's noise.
const DefaultAlertRetention = 90 * 24 * time.Hour

// ParseRetention reads a retention age: a whole number of days ("90d"), a
// Go duration ("2160h"), or "0" / "forever" to keep everything.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return DefaultAlertRetention, nil
	case "0", "forever":
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 36500 {
			return 0, fmt.Errorf("want a number of days such as 90d, got %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Hour {
		return 0, fmt.Errorf("want days such as 90d, a duration of at least 1h, or forever; got %q", s)
	}
	return d, nil
}

// TableStats is the size of one table.
type TableStats struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
	// Bytes is the table's size on disk with its indexes; -1 when the
	// engine cannot say.
	Bytes int64 `json:"bytes"`
}

// DatabaseStats is what `warroom stats` reports.
type DatabaseStats struct {
	Engine string       `json:"engine"`
	Bytes  int64        `json:"bytes"`
	Tables []TableStats `json:"tables"`
	// RetainAfter is the retention cutoff the report was made for, and
	// AlertsToPurge how many alerts retention would delete at it.
	RetainAfter   *time.Time `json:"retain_after"`
	AlertsToPurge int64      `json:"alerts_to_purge"`
}

// RetentionService deletes what the retention policy says may go and
// reports the database's size.
type RetentionService interface {
	// PurgeAlerts deletes up to limit resolved alerts resolved before the
	// cutoff that joined no incident, in one short transaction, and returns
	// how many it deleted. Incidents, postmortems, changes and the audit
	// log are never deleted; alerts attached to an incident are kept with
	// it.
	PurgeAlerts(ctx context.Context, before time.Time, limit int) (int, error)

	// Optimize refreshes the query planner's statistics where the engine
	// does not keep them itself: SQLite has no autovacuum to analyze the
	// tables as they grow, and without statistics it picks worse indexes
	// at a million alerts. It is bounded and cheap when nothing changed.
	Optimize(ctx context.Context) error

	// Stats returns the rows and size of each table and, when retainAfter is
	// not nil, how many alerts retention would delete.
	Stats(ctx context.Context, retainAfter *time.Time) (*DatabaseStats, error)
}

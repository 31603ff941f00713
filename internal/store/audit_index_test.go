package store_test

import (
	"context"
	"testing"

	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// Every filter FindAuditEntries offers is served by an index: the log only
// grows, and an unindexed filter reads all of it for each page.
func TestFindAuditEntries_FiltersIndexed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		db := storetest.Open(t, engine, nil)
		idx, err := store.LeadingIndexColumns(context.Background(), db, "audit_log")
		if err != nil {
			t.Fatal(err)
		}
		leading := map[string]bool{}
		for _, c := range idx {
			leading[c] = true
		}
		for _, col := range []string{"actor_id", "action", "target_type"} {
			if !leading[col] {
				t.Errorf("no index on audit_log starts with %s (indexes: %v)", col, idx)
			}
		}
	})
}

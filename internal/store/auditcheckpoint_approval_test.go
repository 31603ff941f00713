package store_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestTwoPersonRuleCheckpointSettings is issue 22 item 6 for the audit
// checkpoint settings, which are read at start: with the rule on, changing
// or turning them off is refused until a second admin approves the new
// settings by fingerprint, and one approval lets one change through.
func TestTwoPersonRuleCheckpointSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := storetest.Open(t, engine, nil)
		_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		_, bctx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		const fileA, fileB = "every=1h0m0s;file:/var/lib/a", "every=1h0m0s;file:/var/lib/b"
		record := func(settings, desc string) (bool, error) {
			return db.RecordAuditCheckpointSettings(ctx, settings, desc)
		}
		if err := db.SetApprovalSettings(actx, &warroom.ApprovalSettings{Required: []warroom.ApprovalOp{warroom.OpAuditCheckpointSettings}}); err != nil {
			t.Fatal(err)
		}
		if ok, err := record(fileA, "every 1h to file:/var/lib/a"); !ok || err != nil {
			t.Fatalf("first configuration: %v, %v; want recorded without approval", ok, err)
		}
		fpRE := regexp.MustCompile(`"fingerprint":"([0-9a-f]{64})"`)
		refused := func(t *testing.T, settings, desc string) string {
			t.Helper()
			ok, err := record(settings, desc)
			if ok || warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Fatalf("record %q: %v, %v; want ECONFLICT", desc, ok, err)
			}
			m := fpRE.FindStringSubmatch(warroom.ErrorMessage(err))
			if m == nil || !strings.Contains(warroom.ErrorMessage(err), desc) {
				t.Fatalf("refusal %q names neither the settings nor their fingerprint", warroom.ErrorMessage(err))
			}
			return m[1]
		}
		approve := func(t *testing.T, fp string) int64 {
			t.Helper()
			params, _ := json.Marshal(warroom.CheckpointSettingsParams{Fingerprint: fp})
			a, err := db.RequestApproval(actx, warroom.OpAuditCheckpointSettings, params, "move checkpoints to b")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Approve(actx, a.ID); warroom.ErrorCode(err) != warroom.EFORBIDDEN {
				t.Fatalf("self-approval: %v, want EFORBIDDEN", err)
			}
			if a, err = db.Approve(bctx, a.ID); err != nil || a.State != warroom.ApprovalExecuted {
				t.Fatalf("approve: %+v, %v", a, err)
			}
			return a.ID
		}

		fpOff := refused(t, "", "none")
		fpB := refused(t, fileB, "every 1h to file:/var/lib/b")
		if fpOff == fpB {
			t.Fatal("turning off and changing share a fingerprint")
		}
		approve(t, fpB)
		if _, err := record("", "none"); warroom.ErrorCode(err) != warroom.ECONFLICT {
			t.Errorf("approval of b let checkpoints be turned off: %v", err)
		}
		if ok, err := record(fileB, "every 1h to file:/var/lib/b"); !ok || err != nil {
			t.Fatalf("approved change: %v, %v", ok, err)
		}
		act := warroom.AuditCheckpointSettings
		es, _, err := db.FindAuditEntries(ctx, warroom.AuditFilter{Action: &act, Limit: 1})
		if err != nil || len(es) != 1 || !strings.Contains(string(es[0].Data), `"approval_id":`) {
			t.Errorf("entry of the approved change = %v, %v; want its approval named", es, err)
		}

		// Back to a and to b again: b's approval was used up by the change
		// it approved.
		approve(t, refused(t, fileA, "every 1h to file:/var/lib/a"))
		if ok, err := record(fileA, "every 1h to file:/var/lib/a"); !ok || err != nil {
			t.Fatalf("approved change back to a: %v, %v", ok, err)
		}
		refused(t, fileB, "every 1h to file:/var/lib/b")

		t.Run("BadFingerprint", func(t *testing.T) {
			_, err := db.RequestApproval(actx, warroom.OpAuditCheckpointSettings, json.RawMessage(`{"fingerprint":"abc"}`), "")
			if warroom.ErrorField(err) != "params" {
				t.Errorf("request with a bad fingerprint: %v, want a params error", err)
			}
		})
	})
}

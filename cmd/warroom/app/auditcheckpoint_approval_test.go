package app_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestMain_CheckpointSettingsTwoPerson starts serve with changed audit
// checkpoint settings while the two-person rule covers them: it refuses
// with the settings' fingerprint, and starts once a second admin approved a
// request naming it.
func TestMain_CheckpointSettingsTwoPerson(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		env := map[string]string{"WARROOM_SECRET_KEY": strings.Repeat("cd", 32), "WARROOM_AUDIT_CHECKPOINT": filepath.Join(t.TempDir(), "a.jsonl")}
		m, _ := runMain(t, dsn, env)
		_, actx, _ := storetest.User(t, m.DB, warroom.UserRoleAdmin)
		_, bctx, _ := storetest.User(t, m.DB, warroom.UserRoleAdmin)
		if err := m.DB.SetApprovalSettings(actx, &warroom.ApprovalSettings{Required: []warroom.ApprovalOp{warroom.OpAuditCheckpointSettings}}); err != nil {
			t.Fatal(err)
		}
		m.Close()

		off := map[string]string{"WARROOM_SECRET_KEY": env["WARROOM_SECRET_KEY"]}
		n := app.NewMain()
		n.Getenv = func(k string) string { return off[k] }
		n.Logger = slog.New(slog.DiscardHandler)
		if err := n.ParseFlags(ctx, []string{"--addr", "127.0.0.1:0", "--database", dsn}); err != nil {
			t.Fatal(err)
		}
		err := n.Run(ctx)
		n.Close()
		m1 := regexp.MustCompile(`"fingerprint":"([0-9a-f]{64})"`).FindStringSubmatch(warroom.ErrorMessage(err))
		if err == nil || m1 == nil {
			t.Fatalf("start with checkpoints turned off: %v; want a refusal naming the fingerprint", err)
		}

		// On the previous settings, one admin asks and another approves.
		m, _ = runMain(t, dsn, env)
		params, _ := json.Marshal(warroom.CheckpointSettingsParams{Fingerprint: m1[1]})
		a, err := m.DB.RequestApproval(actx, warroom.OpAuditCheckpointSettings, params, "checkpoints move to the SIEM")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.DB.Approve(bctx, a.ID); err != nil {
			t.Fatal(err)
		}
		m.Close()
		m, _ = runMain(t, dsn, off)
		act := warroom.AuditCheckpointSettings
		es, _, err := m.DB.FindAuditEntries(ctx, warroom.AuditFilter{Action: &act, Limit: 1})
		if err != nil || len(es) != 1 || !strings.Contains(string(es[0].Data), `"to":"none"`) || !strings.Contains(string(es[0].Data), `"approval_id"`) {
			t.Errorf("newest settings entry %v, %v; want checkpoints off with the approval named", es, err)
		}
	})
}

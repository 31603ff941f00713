package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestInvites(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var out struct {
			Invite *warroom.Invite
			Secret string
			Path   string
		}
		h.ok(h.adminToken, "POST", "/api/v1/invites", map[string]any{"email": "new@example.com", "role": "responder"}, http.StatusCreated, &out)
		if out.Invite == nil || out.Invite.Email != "new@example.com" || out.Secret == "" || out.Path != "/invite/"+out.Secret {
			t.Fatalf("create = %+v", out)
		}
		var list struct{ Invites []*warroom.Invite }
		h.ok(h.adminToken, "GET", "/api/v1/invites", nil, http.StatusOK, &list)
		if len(list.Invites) != 1 || list.Invites[0].ID != out.Invite.ID {
			t.Errorf("list = %+v", list.Invites)
		}
		raw := h.do(h.adminToken, "GET", "/api/v1/invites", nil)
		if strings.Contains(string(raw.body), out.Secret) {
			t.Error("the list shows the invite's secret")
		}

		audit := h.auditTotal()
		h.fail(h.adminToken, "POST", "/api/v1/invites", map[string]any{"email": "<script>@x", "role": "viewer"}, http.StatusUnprocessableEntity, "email")
		h.fail(h.adminToken, "POST", "/api/v1/invites", map[string]any{"email": "a@example.com", "role": "root"}, http.StatusUnprocessableEntity, "role")
		h.fail(h.adminToken, "POST", "/api/v1/invites", map[string]any{"email": h.viewer.Email, "role": "viewer"}, http.StatusConflict, "email")
		h.fail(h.responderToken, "POST", "/api/v1/invites", map[string]any{"email": "b@example.com", "role": "admin"}, http.StatusForbidden, "")
		if got := h.auditTotal(); got != audit {
			t.Errorf("audit entries = %d, was %d: a refused invite wrote something", got, audit)
		}

		revoke := fmt.Sprintf("/api/v1/invites/%d/revoke", out.Invite.ID)
		h.ok(h.adminToken, "POST", revoke, nil, http.StatusNoContent, nil)
		h.fail(h.adminToken, "POST", revoke, nil, http.StatusConflict, "")
		h.fail(h.adminToken, "POST", "/api/v1/invites/999999/revoke", nil, http.StatusNotFound, "")
		if _, err := h.db.AcceptInvite(context.Background(), out.Secret, "New", "a long enough password"); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("accepting a revoked invite: %v, want ENOTFOUND", err)
		}
	})
}

// TestAuditExportKeyset writes an audit entry every time the export reads a
// page, as busy servers do, and expects each entry that existed when the
// export began exactly once, in order, and none written after.
func TestAuditExportKeyset(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		actx := warroom.NewContextWithUser(context.Background(), h.admin)
		for i := range warroom.MaxPageSize + 20 {
			if err := h.db.CreateTeam(actx, &warroom.Team{Name: fmt.Sprintf("team %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		_, before, err := h.db.FindAuditEntries(actx, warroom.AuditFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		during := 0
		d := deps(h.db, nil)
		d.Audit = writingAudit{AuditService: h.db, write: func() {
			during++
			if err := h.db.CreateTeam(actx, &warroom.Team{Name: fmt.Sprintf("during %d", during)}); err != nil {
				t.Error(err)
			}
		}}
		logger := slog.New(slog.DiscardHandler)
		d.Logger = logger
		ts := httptest.NewServer(server.WithMiddleware(api.New(d), logger))
		defer ts.Close()
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/audit/export", nil)
		req.Header.Set("Authorization", "Bearer "+h.adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		var ids []int64
		for dec.More() {
			var e warroom.AuditEntry
			if err := dec.Decode(&e); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		if during < 2 {
			t.Fatalf("the export read %d pages, want at least 2", during)
		}
		if len(ids) != before {
			t.Fatalf("exported %d lines, want the %d entries there were when it began", len(ids), before)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] >= ids[i-1] {
				t.Fatalf("line %d: ID %d after %d: repeated or out of order", i, ids[i], ids[i-1])
			}
		}
	})
}

// writingAudit is the real store with a real write after every page read.
type writingAudit struct {
	warroom.AuditService
	write func()
}

func (a writingAudit) FindAuditEntries(ctx context.Context, f warroom.AuditFilter) ([]*warroom.AuditEntry, int, error) {
	es, n, err := a.AuditService.FindAuditEntries(ctx, f)
	a.write()
	return es, n, err
}

package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

var pathWildcard = regexp.MustCompile(`\{[^}]+\}`)

// TestRoutePermissions walks every registered route: without a token each
// is refused with 401, and each is refused with 403 to every role that
// lacks its permission, with nothing written.
func TestRoutePermissions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		h.declare(map[string]any{"title": "Something", "type": "other"})
		for _, r := range api.Routes() {
			if r.Permission == "" {
				continue
			}
			// The refusal comes before the handler, so any values will do.
			path := pathWildcard.ReplaceAllString(r.Pattern, "1")
			var body any
			if r.Method != http.MethodGet && r.Method != http.MethodDelete {
				body = "{}"
			}
			t.Run(r.Method+" "+r.Pattern, func(t *testing.T) {
				h := h.with(t)
				audit := h.auditTotal()
				resp := h.do("", r.Method, path, body)
				if resp.status != http.StatusUnauthorized || resp.header.Get("WWW-Authenticate") == "" {
					t.Errorf("no token: %d WWW-Authenticate %q, want 401 and a challenge", resp.status, resp.header.Get("WWW-Authenticate"))
				}
				if resp := h.do("wr_not_a_real_token", r.Method, path, body); resp.status != http.StatusUnauthorized {
					t.Errorf("unknown token: %d, want 401", resp.status)
				}
				for _, who := range []struct {
					role  warroom.UserRole
					token string
				}{{warroom.UserRoleViewer, h.viewerToken}, {warroom.UserRoleResponder, h.responderToken}} {
					if who.role.Can(r.Permission) {
						continue
					}
					h.fail(who.token, r.Method, path, body, http.StatusForbidden, "")
				}
				if got := h.auditTotal(); got != audit {
					t.Errorf("audit entries = %d, was %d: a refused request wrote something", got, audit)
				}
			})
		}
	})
}

// TestTokenPermissions checks the token routes: anyone may manage their own
// tokens, only admins anyone else's.
func TestTokenPermissions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		own := fmt.Sprintf("/api/v1/users/%d/tokens", h.viewer.ID)
		other := fmt.Sprintf("/api/v1/users/%d/tokens", h.responder.ID)

		var created struct {
			Token  *warroom.Token
			Secret string
		}
		h.ok(h.viewerToken, "POST", own, map[string]any{"name": "laptop"}, http.StatusCreated, &created)
		if created.Token == nil || created.Token.UserID != h.viewer.ID || len(created.Secret) < 10 {
			t.Fatalf("created = %+v", created)
		}
		var me warroom.User
		h.ok(created.Secret, "GET", "/api/v1/me", nil, http.StatusOK, &me)
		if me.ID != h.viewer.ID {
			t.Errorf("new token authenticates as %d, want %d", me.ID, h.viewer.ID)
		}
		var list struct{ Tokens []*warroom.Token }
		h.ok(h.viewerToken, "GET", own, nil, http.StatusOK, &list)
		if len(list.Tokens) != 2 {
			t.Errorf("own tokens = %d, want 2", len(list.Tokens))
		}

		audit := h.auditTotal()
		h.fail(h.viewerToken, "GET", other, nil, http.StatusForbidden, "")
		h.fail(h.viewerToken, "POST", other, map[string]any{"name": "sneaky"}, http.StatusForbidden, "")
		h.fail(h.responderToken, "DELETE", fmt.Sprintf("%s/%d", own, created.Token.ID), nil, http.StatusForbidden, "")
		if got := h.auditTotal(); got != audit {
			t.Errorf("audit entries = %d, was %d", got, audit)
		}

		h.ok(h.adminToken, "GET", own, nil, http.StatusOK, &list)
		h.ok(h.viewerToken, "DELETE", fmt.Sprintf("%s/%d", own, created.Token.ID), nil, http.StatusNoContent, nil)
		h.fail(created.Secret, "GET", "/api/v1/me", nil, http.StatusUnauthorized, "")
		h.fail(h.viewerToken, "DELETE", fmt.Sprintf("%s/%d", own, created.Token.ID), nil, http.StatusConflict, "")
	})
}

package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestFormNotText: a form field holding NUL or bytes that are not UTF-8
// is a 400 naming it on both engines, not a 500 from PostgreSQL, and
// nothing is declared.
func TestFormNotText(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, ctx := e.user(t, warroom.UserRoleResponder, "en")
		c := e.client(t)
		c.login(u.Email)
		for _, title := range []string{"Login\x00 broken", "Login\xff broken"} {
			res, body := c.post("/incidents", url.Values{"title": {title}, "type": {"system_crash"}})
			wantStatus(t, res, body, http.StatusBadRequest)
			if !strings.Contains(body, "The field title holds characters that cannot be stored") {
				t.Errorf("body does not name the field: %.300s", body)
			}
		}
		res, body := c.post("/login", url.Values{"email": {"a\x00@example.com"}, "password": {"x"}})
		wantStatus(t, res, body, http.StatusBadRequest)
		if _, n, err := e.db.FindIncidents(ctx, warroom.IncidentFilter{}); err != nil || n != 0 {
			t.Fatalf("incidents = %d, %v", n, err)
		}
	})
}

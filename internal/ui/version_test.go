package ui_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/buildinfo"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestFooterVersion expects the build in the footer of signed-in pages and
// nowhere on the sign-in page.
func TestFooterVersion(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		want := html.EscapeString("warroom " + buildinfo.Get().Short())
		c := e.client(t)
		res, body := c.get("/login")
		wantStatus(t, res, body, http.StatusOK)
		if strings.Contains(body, `class="site"`) {
			t.Error("the sign-in page shows the build")
		}
		for _, locale := range []string{"en", "zh-CN"} {
			u, _ := e.user(t, warroom.UserRoleViewer, locale)
			c := e.client(t)
			c.login(u.Email)
			res, body := c.get("/incidents")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, want) {
				t.Errorf("%s: /incidents lacks %q in its footer", locale, want)
			}
		}
	})
}

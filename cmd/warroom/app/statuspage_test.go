package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestMain_StatusPage checks /status is served without login while the
// rest stays behind it.
func TestMain_StatusPage(t *testing.T) {
	m, _ := runMain(t, storetest.DSN(t, "sqlite"), nil)
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/status", http.StatusOK, "All systems operational"},
		{"/status/feed.atom", http.StatusOK, "<feed"},
		{"/api/v1/components", http.StatusUnauthorized, ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res, err := http.Get(m.Server.URL() + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
				t.Errorf("status %d, want %d with %q", res.StatusCode, tt.status, tt.want)
			}
		})
	}
}

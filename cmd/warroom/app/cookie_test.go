package app_test

import (
	"net/http"
	"testing"

	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestMain_SecureCookies: served at an https:// public URL (TLS ended by a
// proxy), the session and form cookies must be Secure so that they never
// travel over plain HTTP; served at plain HTTP they cannot be.
func TestMain_SecureCookies(t *testing.T) {
	for _, tt := range []struct {
		name, publicURL string
		secure          bool
	}{
		{"HTTPS", "https://warroom.example.com", true},
		{"HTTP", "http://warroom.internal:8080", false},
		{"Unset", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := runMain(t, storetest.DSN(t, "sqlite"), map[string]string{"WARROOM_PUBLIC_URL": tt.publicURL})
			res, err := http.Get(m.Server.URL() + "/login")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			cs := res.Cookies()
			if len(cs) == 0 {
				t.Fatal("GET /login set no cookie")
			}
			for _, c := range cs {
				if c.Secure != tt.secure {
					t.Errorf("cookie %s: Secure = %v, want %v", c.Name, c.Secure, tt.secure)
				}
			}
		})
	}
}

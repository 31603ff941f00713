package ui

import "testing"

// TestSafeBack: browsers drop tabs and newlines from a Location and read
// "/\t/evil.example" as "//evil.example", another site.
func TestSafeBack(t *testing.T) {
	for _, tc := range []struct{ back, want string }{
		{"/postmortems/3", "/postmortems/3"},
		{"/action-items?status=open", "/action-items?status=open"},
		{"", "/action-items"},
		{"https://evil.example/", "/action-items"},
		{"//evil.example/", "/action-items"},
		{"/\\evil.example/", "/action-items"},
		{"/\t/evil.example/", "/action-items"},
		{"/\x0b/evil.example/", "/action-items"},
		{"/\x00/evil.example/", "/action-items"},
	} {
		if got := safeBack(tc.back, "/action-items"); got != tc.want {
			t.Errorf("safeBack(%q) = %q, want %q", tc.back, got, tc.want)
		}
	}
}

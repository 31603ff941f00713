package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/cmd/warroom/app"
)

func TestConfigOIDCScopes(t *testing.T) {
	c := app.DefaultConfig()
	c.OIDCIssuer, c.OIDCClientID, c.OIDCRedirectURL = "https://idp.example.com", "warroom", "https://warroom.example.com/auth/oidc/callback"
	o, err := c.OIDC()
	if err != nil || o.Scopes != nil {
		t.Fatalf("default: %+v, %v; want no scopes set (the default)", o, err)
	}
	c.OIDCScopes = "openid, email profile,groups"
	if o, err = c.OIDC(); err != nil || !slices.Equal(o.Scopes, []string{"openid", "email", "profile", "groups"}) {
		t.Errorf("scopes = %v, %v", o.Scopes, err)
	}
	c.OIDCScopes = "email groups"
	if _, err := c.OIDC(); err == nil || !strings.Contains(err.Error(), "--oidc-scopes") {
		t.Errorf("scopes without openid: %v, want an error naming --oidc-scopes", err)
	}
}

package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/secret"
	"github.com/warroomhq/warroom/internal/ui"
)

// OIDC returns the single sign-on configuration, nil when OIDCIssuer is
// not set, or an error naming the setting that is wrong.
func (c *Config) OIDC() (*ui.OIDC, error) {
	if c.OIDCIssuer == "" {
		return nil, nil
	}
	if !strings.HasPrefix(c.OIDCIssuer, "https://") && !strings.HasPrefix(c.OIDCIssuer, "http://") {
		return nil, fmt.Errorf("--oidc-issuer: %q must be an http(s) URL", c.OIDCIssuer)
	} else if c.OIDCClientID == "" {
		return nil, fmt.Errorf("--oidc-client-id: required with --oidc-issuer")
	} else if c.OIDCRedirectURL == "" {
		return nil, fmt.Errorf("--oidc-redirect-url: required with --oidc-issuer")
	}
	o := &ui.OIDC{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret, RedirectURL: c.OIDCRedirectURL,
		RoleClaim: c.OIDCRoleClaim, RoleMap: map[string]warroom.UserRole{}, DefaultRole: warroom.UserRole(c.OIDCDefaultRole)}
	for _, pair := range strings.Split(c.OIDCRoles, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if role := warroom.UserRole(strings.TrimSpace(v)); !ok || strings.TrimSpace(k) == "" || !role.Valid() {
			return nil, fmt.Errorf("--oidc-roles: %q is not value=role with a known role", pair)
		} else {
			o.RoleMap[strings.TrimSpace(k)] = role
		}
	}
	if c.OIDCScopes != "" {
		o.Scopes = strings.FieldsFunc(c.OIDCScopes, func(r rune) bool { return r == ',' || r == ' ' })
		if !slices.Contains(o.Scopes, "openid") {
			return nil, fmt.Errorf("--oidc-scopes: %q must include openid", c.OIDCScopes)
		}
	}
	if o.DefaultRole != "" && !o.DefaultRole.Valid() {
		return nil, fmt.Errorf("--oidc-default-role: unknown role %q", o.DefaultRole)
	}
	return o, nil
}

// openSecrets loads or creates the key for credentials at rest. A
// PostgreSQL deployment has no file to sit beside, so its key file
// defaults to the user's configuration directory; several instances must
// share one key, which is what WARROOM_SECRET_KEY is for.
func (m *Main) openSecrets() error {
	path, err := m.Config.secretKeyPath()
	if err != nil {
		return err
	}
	key, err := secret.LoadKey(m.Config.SecretKey, path)
	if err != nil {
		return err
	}
	if m.auditKey, err = secret.DeriveKey(key, secret.PurposeAudit); err != nil {
		return err
	}
	m.keySource = "WARROOM_SECRET_KEY"
	if strings.TrimSpace(m.Config.SecretKey) == "" {
		m.keySource = "the key file " + filepath.Clean(path)
	}
	box, err := secret.New(key)
	if err != nil {
		return err
	}
	m.Secrets = box
	return nil
}

// secretKeyPath is the key file in use when WARROOM_SECRET_KEY is unset.
func (c *Config) secretKeyPath() (string, error) {
	path := c.SecretKeyFile
	if path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("secret key: set WARROOM_SECRET_KEY or --secret-key-file: %w", err)
		}
		path = secret.KeyPath(c.Database, filepath.Join(dir, "warroom"))
	}
	return filepath.Clean(path), nil
}

package warroom

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// TokenKind says who a token speaks for.
type TokenKind string

// Token kinds.
const (
	// TokenPersonal is a person's own token; it acts as that person.
	TokenPersonal TokenKind = "personal"
	// TokenService is issued by an admin for a system such as CI or a
	// monitoring server. It belongs to the admin's chosen account, is listed
	// with the service tokens and must expire.
	TokenService TokenKind = "service"
)

// TokenScope is one thing a token may be used for. Scopes only narrow: a
// token never grants more than its owner's role.
type TokenScope string

// Token scopes.
const (
	ScopeRead   TokenScope = "read"   // read anything the role may read
	ScopeWrite  TokenScope = "write"  // declare and work incidents
	ScopeIngest TokenScope = "ingest" // send alerts and heartbeats, nothing else
	ScopeAdmin  TokenScope = "admin"  // administer
)

// TokenScopes lists every scope.
var TokenScopes = []TokenScope{ScopeRead, ScopeWrite, ScopeIngest, ScopeAdmin}

// DefaultTokenScopes are given to a token created without any: everything
// but ingest, which is kept for tokens made for that purpose alone.
var DefaultTokenScopes = []TokenScope{ScopeRead, ScopeWrite, ScopeAdmin}

// MaxServiceTokenTTL bounds a service token's life: a credential pasted
// into a CI system must be rotated.
const MaxServiceTokenTTL = 366 * 24 * time.Hour

// Allows reports whether the token's scopes cover permission p: read needs
// read, write or admin; respond needs write; admin needs admin; ingest needs
// ingest.
func (t *Token) Allows(p Permission) bool {
	has := func(s TokenScope) bool {
		for _, v := range t.Scopes {
			if v == s {
				return true
			}
		}
		return false
	}
	switch p {
	case PermRead:
		return has(ScopeRead) || has(ScopeWrite) || has(ScopeAdmin)
	case PermRespond:
		return has(ScopeWrite)
	case PermAdmin:
		return has(ScopeAdmin)
	case PermIngest:
		return has(ScopeIngest)
	}
	return false
}

// TokenInput describes a token to issue.
type TokenInput struct {
	Name string `json:"name"`
	// Kind defaults to personal.
	Kind TokenKind `json:"kind"`
	// Scopes default to DefaultTokenScopes.
	Scopes []TokenScope `json:"scopes"`
	// ExpiresAt nil means no expiry, which service tokens may not have.
	ExpiresAt *time.Time `json:"expires_at"`
	// Ceiling is what the issuer may hand on: the scopes of the token the
	// request came with. nil means no token (a signed-in session), which
	// leaves only the owner's role as the ceiling.
	Ceiling []TokenScope `json:"-"`
}

// Permission is what scope s stands for.
func (s TokenScope) Permission() Permission {
	switch s {
	case ScopeRead:
		return PermRead
	case ScopeWrite:
		return PermRespond
	case ScopeAdmin:
		return PermAdmin
	case ScopeIngest:
		return PermIngest
	}
	return ""
}

// Narrow applies the ceiling of a token for a user of role: no scope the
// role does not grant and none the issuer's own token lacks, so that a token
// can never mint a stronger one. Scopes asked for beyond it are EFORBIDDEN;
// the defaults are cut down to it instead, and an empty result is
// EFORBIDDEN too. Call it before Validate.
func (in *TokenInput) Narrow(role UserRole) error {
	within := func(s TokenScope) bool {
		return role.Can(s.Permission()) && (in.Ceiling == nil || slices.Contains(in.Ceiling, s))
	}
	if len(in.Scopes) == 0 {
		for _, s := range DefaultTokenScopes {
			if within(s) {
				in.Scopes = append(in.Scopes, s)
			}
		}
		if len(in.Scopes) == 0 {
			return &Error{Code: EFORBIDDEN, Field: "scopes", Message: "scopes: none of the default scopes is within the role and the issuing token's scopes; name the scopes"}
		}
		return nil
	}
	for _, s := range in.Scopes {
		if !slices.Contains(TokenScopes, s) {
			continue // Validate names it
		} else if !role.Can(s.Permission()) {
			return &Error{Code: EFORBIDDEN, Field: "scopes", Message: fmt.Sprintf("scopes: the %s role does not grant %q", role, s)}
		} else if in.Ceiling != nil && !slices.Contains(in.Ceiling, s) {
			return &Error{Code: EFORBIDDEN, Field: "scopes", Message: fmt.Sprintf("scopes: the issuing token lacks %q, so it cannot hand it on", s)}
		}
	}
	return nil
}

// Validate checks the input at now and fills the defaults.
func (in *TokenInput) Validate(now time.Time) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	}
	if in.Kind == "" {
		in.Kind = TokenPersonal
	}
	if in.Kind != TokenPersonal && in.Kind != TokenService {
		return FieldErrorf("kind", "must be %q or %q", TokenPersonal, TokenService)
	}
	if len(in.Scopes) == 0 {
		in.Scopes = append([]TokenScope(nil), DefaultTokenScopes...)
	}
	seen := map[TokenScope]bool{}
	for _, s := range in.Scopes {
		ok := false
		for _, v := range TokenScopes {
			ok = ok || v == s
		}
		if !ok {
			return FieldErrorf("scopes", "unknown scope %q (want read, write, ingest or admin)", s)
		} else if seen[s] {
			return FieldErrorf("scopes", "scope %q is listed twice", s)
		}
		seen[s] = true
	}
	if in.ExpiresAt != nil {
		e := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !e.After(now) {
			return FieldErrorf("expires_at", "must be in the future")
		}
		in.ExpiresAt = &e
	}
	if in.Kind == TokenService && (in.ExpiresAt == nil || in.ExpiresAt.Sub(now) > MaxServiceTokenTTL) {
		return FieldErrorf("expires_at", "a service token must expire within %d days", int(MaxServiceTokenTTL/(24*time.Hour)))
	}
	return nil
}

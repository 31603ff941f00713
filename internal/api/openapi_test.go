package api_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/warroomhq/warroom/internal/api"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.json")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return doc
}

// wildcard matches the path wildcards of the standard mux and of OpenAPI.
var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// TestOpenAPI_Routes checks the document and routes.go describe the same
// API in both directions, so that neither can gain a route alone.
func TestOpenAPI_Routes(t *testing.T) {
	doc := loadOpenAPI(t)
	registered := map[string]api.Route{}
	for _, r := range api.Routes() {
		registered[r.Method+" "+r.Pattern] = r
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			documented[key] = true
			r, ok := registered[key]
			if !ok {
				t.Errorf("%s is documented but not registered", key)
				continue
			}
			if got := op.Extensions["x-permission"]; got != permOrNone(string(r.Permission)) {
				t.Errorf("%s: x-permission = %v, want %q", key, got, permOrNone(string(r.Permission)))
			}
			for _, name := range wildcard.FindAllString(path, -1) {
				name = strings.Trim(name, "{}")
				if op.Parameters.GetByInAndName("path", name) == nil {
					t.Errorf("%s: path parameter %q is not documented", key, name)
				}
			}
		}
	}
	for key := range registered {
		if !documented[key] {
			t.Errorf("%s is registered but not documented", key)
		}
	}
}

func permOrNone(p string) string {
	if p == "" {
		return "none"
	}
	return p
}

func TestOpenAPI_Schemas(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, name := range []string{
		"Incident", "Impact", "Money", "Loss", "SLAStatus", "Event", "Service", "SOPTemplate", "Task",
		"RoleAssignment", "IncidentRole", "SeverityMatrix", "SeverityRule", "DurationEscalator", "SLAPolicy",
		"Proposal", "User", "Token", "AuditEntry", "Error",
	} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s is missing", name)
		}
	}
}

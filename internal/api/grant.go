package api

import (
	"context"
	"strings"

	"github.com/warroomhq/warroom"
)

// objectParams check, for a scoped user, the grant of an object that an
// incident route names besides the incident: the incident being visible
// does not make a change of another service visible. Path parameters of
// the children of the object in {id} (an incident's tasks and role
// assignments, a user's tokens) are in childParams instead: the store
// finds them under their parent, so they cannot reach outside it.
var objectParams = map[string]func(h *handler, ctx context.Context, u *warroom.User, raw string) error{
	"changeID": func(h *handler, ctx context.Context, u *warroom.User, raw string) error {
		id, err := warroom.ParseChangeNumber(raw)
		if err != nil {
			return err
		}
		return h.grants().ReachChange(ctx, u, id)
	},
}

// childParams are the path parameters that name a child of the object in
// {id}, found by the store under it.
var childParams = map[string]bool{"assignmentID": true, "taskID": true, "tokenID": true}

// pathParams returns the names of the wildcards of a pattern.
func pathParams(pattern string) []string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(seg[1:], "}"))
		}
	}
	return out
}

// grants judges the objects a scoped user's request names; see
// warroom.Grants.
func (h *handler) grants() warroom.Grants {
	return warroom.Grants{Users: h.Users, Teams: h.Teams, Incidents: h.Incidents, Changes: h.Changes, StatusPage: h.StatusPage}
}

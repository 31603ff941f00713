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
		return h.reachChange(ctx, u, id)
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

// reachChange answers a scoped user naming a change of a service it was not
// granted exactly as for a change that does not exist.
func (h *handler) reachChange(ctx context.Context, u *warroom.User, id int64) error {
	if !u.Role.Scoped() {
		return nil
	}
	notFound := warroom.Errorf(warroom.ENOTFOUND, "Change CHG-%d not found.", id)
	if h.Changes == nil || h.Teams == nil {
		return notFound
	}
	c, err := h.Changes.FindChangeByID(ctx, id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return notFound
	} else if err != nil {
		return err
	}
	granted, err := h.Teams.FindUserServiceIDs(ctx, u.ID)
	if err != nil {
		return err
	}
	if !u.Role.SeesIncident(c.ServiceIDs, granted) {
		return notFound
	}
	return nil
}

// reachServices refuses a scoped user putting services it was not granted
// on an incident, which would hand the incident to people of those
// services under the contractor's name.
func (h *handler) reachServices(ctx context.Context, u *warroom.User, field string, ids []int64) error {
	if !u.Role.Scoped() || len(ids) == 0 {
		return nil
	}
	var granted []int64
	if h.Teams != nil {
		var err error
		if granted, err = h.Teams.FindUserServiceIDs(ctx, u.ID); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if !u.Role.SeesIncident([]int64{id}, granted) {
			return &warroom.Error{Code: warroom.EFORBIDDEN, Field: field, Message: field + ": the " + string(u.Role) + " role may name only services granted to it"}
		}
	}
	return nil
}

// reachComponents refuses a scoped user setting the public status of a
// component of a service it was not granted.
func (h *handler) reachComponents(ctx context.Context, u *warroom.User, cs []warroom.ComponentImpact) error {
	if !u.Role.Scoped() || len(cs) == 0 {
		return nil
	}
	all, err := h.StatusPage.FindComponents(ctx)
	if err != nil {
		return err
	}
	svc := map[int64]*int64{}
	for _, c := range all {
		svc[c.ID] = c.ServiceID
	}
	var ids []int64
	for _, c := range cs {
		sid := svc[c.ComponentID]
		if sid == nil {
			return &warroom.Error{Code: warroom.EFORBIDDEN, Field: "components", Message: "components: the " + string(u.Role) + " role may set only components of services granted to it"}
		}
		ids = append(ids, *sid)
	}
	if err := h.reachServices(ctx, u, "components", ids); err != nil {
		return err
	}
	return nil
}

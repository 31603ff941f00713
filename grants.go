package warroom

import (
	"context"
	"fmt"
)

// Grants judges, for a user of a scoped role (contractor, stakeholder),
// the objects a request names besides the incident it is about: the
// incident being granted does not make a change, a component or a person
// of another service reachable through it. The API and the UI both ask
// it, so that the rule is written once. For unscoped roles every method
// returns nil. A nil Teams grants nothing.
type Grants struct {
	Users      UserService
	Teams      TeamService
	Incidents  IncidentService
	Changes    ChangeService
	StatusPage StatusPageService
}

func (g Grants) granted(ctx context.Context, userID int64) ([]int64, error) {
	if g.Teams == nil {
		return nil, nil
	}
	return g.Teams.FindUserServiceIDs(ctx, userID)
}

// ReachChange answers a change of a service not granted to u exactly as
// one that does not exist (ENOTFOUND).
func (g Grants) ReachChange(ctx context.Context, u *User, id int64) error {
	if !u.Role.Scoped() {
		return nil
	}
	notFound := Errorf(ENOTFOUND, "Change CHG-%d not found.", id)
	if g.Changes == nil {
		return notFound
	}
	c, err := g.Changes.FindChangeByID(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return notFound
	} else if err != nil {
		return err
	}
	granted, err := g.granted(ctx, u.ID)
	if err != nil {
		return err
	}
	if !u.Role.SeesIncident(c.ServiceIDs, granted) {
		return notFound
	}
	return nil
}

// ReachServices refuses (EFORBIDDEN naming field) services not granted to
// u, which would hand an incident to the people of those services under
// u's name.
func (g Grants) ReachServices(ctx context.Context, u *User, field string, ids []int64) error {
	if !u.Role.Scoped() || len(ids) == 0 {
		return nil
	}
	granted, err := g.granted(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !u.Role.SeesIncident([]int64{id}, granted) {
			return &Error{Code: EFORBIDDEN, Field: field, Message: fmt.Sprintf("%s: the %s role may name only services granted to it", field, u.Role)}
		}
	}
	return nil
}

// ReachComponents refuses (EFORBIDDEN) setting the public status of a
// component that is not of a service granted to u.
func (g Grants) ReachComponents(ctx context.Context, u *User, cs []ComponentImpact) error {
	if !u.Role.Scoped() || len(cs) == 0 {
		return nil
	}
	refused := &Error{Code: EFORBIDDEN, Field: "components", Message: fmt.Sprintf("components: the %s role may set only components of services granted to it", u.Role)}
	if g.StatusPage == nil {
		return refused
	}
	all, err := g.StatusPage.FindComponents(ctx)
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
			return refused
		}
		ids = append(ids, *sid)
	}
	if err := g.ReachServices(ctx, u, "components", ids); err != nil {
		return refused
	}
	return nil
}

// ReachUser refuses u naming, on incident incidentID, a person of a scoped
// role who may not see that incident: work on it must not be handed to
// someone outside it, nor account names learnt by trying IDs. Such a
// person answers as one who does not exist (ENOTFOUND naming field).
func (g Grants) ReachUser(ctx context.Context, u *User, field string, incidentID, userID int64) error {
	if !u.Role.Scoped() || userID == u.ID {
		return nil
	}
	notFound := &Error{Code: ENOTFOUND, Field: field, Message: fmt.Sprintf("%s: user %d not found", field, userID)}
	target, err := g.Users.FindUserByID(ctx, userID)
	if ErrorCode(err) == ENOTFOUND {
		return notFound
	} else if err != nil {
		return err
	} else if !target.Role.Scoped() {
		return nil
	}
	inc, err := g.Incidents.FindIncidentByID(ctx, incidentID)
	if err != nil {
		return err
	}
	granted, err := g.granted(ctx, target.ID)
	if err != nil {
		return err
	}
	if !target.Role.SeesIncident(inc.ServiceIDs, granted) {
		return notFound
	}
	return nil
}

package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/warroomhq/warroom"
)

var _ warroom.DrillService = (*DB)(nil)

// A drill reaches only its participants: the people recorded for the
// incident in drill_participants. They are written when the drill is
// declared (its declarer and the first level of on-call of its services),
// when a run opens it (the run's participants) and when someone is given a
// role in it. Everyone else is left alone: the checks below sit where
// pages and notices are written, so that no channel can forget them.

// addDrillParticipants records users as participants of a drill incident.
func addDrillParticipants(ctx context.Context, tx *tx, incidentID int64, userIDs ...int64) error {
	for _, u := range userIDs {
		if u <= 0 {
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO drill_participants (incident_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, incidentID, u); err != nil {
			return fmt.Errorf("add drill participant: %w", err)
		}
	}
	return nil
}

// drillParticipants returns a drill incident's participants.
func drillParticipants(ctx context.Context, tx *tx, incidentID int64) ([]int64, error) {
	return selectIDs(ctx, tx, `SELECT user_id FROM drill_participants WHERE incident_id = ? ORDER BY user_id`, incidentID)
}

// drillHolds reports whether a message about incidentID must not reach
// userID: the incident is a drill and the user takes no part in it.
func drillHolds(ctx context.Context, tx *tx, incidentID, userID int64) (bool, error) {
	if incidentID <= 0 {
		return false, nil
	}
	var drill, member bool
	err := tx.queryRow(ctx, `SELECT i.drill, EXISTS (SELECT 1 FROM drill_participants p WHERE p.incident_id = i.id AND p.user_id = ?)
		FROM incidents i WHERE i.id = ?`, userID, incidentID).Scan(&drill, &member)
	if err != nil {
		return false, fmt.Errorf("drill check: %w", err)
	}
	return drill && !member, nil
}

// FindDrillParticipants returns the people a drill incident reaches.
func (db *DB) FindDrillParticipants(ctx context.Context, incidentID int64) ([]int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	ids, err := drillParticipants(ctx, tx, incidentID)
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, tx.commit()
}

// keepToDrill narrows a notice about a drill to its participants: stakeholder
// groups keep only members who take part, their chat channels and every
// subscriber are dropped. A public update a person chose to send to the
// real world is left as it is.
func keepToDrill(ctx context.Context, tx *tx, nc *warroom.NoticeContext) error {
	if nc.Incident == nil || !nc.Incident.Drill || (nc.Update != nil && nc.Update.RealWorld) {
		return nil
	}
	ids, err := drillParticipants(ctx, tx, nc.Incident.ID)
	if err != nil {
		return err
	}
	var groups []*warroom.StakeholderGroup
	for _, g := range nc.Groups {
		kept := *g
		kept.MemberIDs, kept.Channels = nil, nil
		for _, uid := range g.MemberIDs {
			if slices.Contains(ids, uid) {
				kept.MemberIDs = append(kept.MemberIDs, uid)
			}
		}
		if len(kept.MemberIDs) > 0 {
			groups = append(groups, &kept)
		}
	}
	nc.Groups, nc.Subscribers, nc.PublicIncident = groups, nil, nil
	if nc.Communicator != nil && !slices.Contains(ids, nc.Communicator.ID) {
		nc.Communicator = nil
	}
	return nil
}

// DrillPreview returns a drill's public updates as the status page would
// show them, built from the updates themselves: a drill never writes the
// page's tables (but for an update sent to the real world, which is on the
// page and is shown here too).
func (db *DB) DrillPreview(ctx context.Context, incidentID int64) (*warroom.DrillPreview, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := findIncident(ctx, tx, incidentID)
	if err != nil {
		return nil, err
	}
	if !inc.Drill {
		return nil, warroom.Errorf(warroom.EINVALID, "%s is not a drill; its public updates are on the status page.", inc.Number)
	}
	us, err := findStatusUpdates(ctx, tx, "incident_id = ? AND audience = ?", incidentID, string(warroom.AudiencePublic))
	if err != nil {
		return nil, err
	}
	p := &warroom.PublicIncident{IncidentID: inc.ID, Title: inc.Title, Impact: warroom.ComponentOperational,
		Components: []int64{}, Updates: []*warroom.PublicUpdate{}, CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt}
	status := map[int64]warroom.ComponentStatus{}
	// Updates come newest first; the title and impact build up oldest first.
	for i := len(us) - 1; i >= 0; i-- {
		u := us[i]
		if i == len(us)-1 {
			p.CreatedAt = u.CreatedAt
		}
		if u.PublicTitle != "" {
			p.Title = u.PublicTitle
		}
		p.Status, p.UpdatedAt = u.PublicStatus, u.CreatedAt
		for _, c := range u.Components {
			if !slices.Contains(p.Components, c.ComponentID) {
				p.Components = append(p.Components, c.ComponentID)
			}
			status[c.ComponentID] = c.Status
			if c.Status.Worse(p.Impact) {
				p.Impact = c.Status
			}
		}
		if u.PublicStatus == warroom.PublicResolved {
			t := u.CreatedAt
			p.ResolvedAt = &t
			// As on the page: a resolved incident holds nothing down.
			for id := range status {
				status[id] = warroom.ComponentOperational
			}
			for _, c := range u.Components {
				status[c.ComponentID] = c.Status
			}
		}
	}
	for _, u := range us {
		p.Updates = append(p.Updates, &warroom.PublicUpdate{ID: u.ID, Status: u.PublicStatus, WhatHappened: u.WhatHappened,
			Impact: u.Impact, Actions: u.Actions, NextUpdateBy: u.NextUpdateBy, CreatedAt: u.CreatedAt})
	}
	out := &warroom.DrillPreview{Incident: p, Components: []warroom.ComponentImpact{}}
	for _, id := range p.Components {
		out.Components = append(out.Components, warroom.ComponentImpact{ComponentID: id, Status: status[id]})
	}
	return out, tx.commit()
}

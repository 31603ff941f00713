package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

// LoadNotice reads a notice and everything its fan-out needs in one
// snapshot: what it is about, the groups its scope names with their
// members, and the subscribers who hear of it.
func (db *DB) LoadNotice(ctx context.Context, noticeID int64) (*warroom.NoticeContext, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	n := &warroom.Notice{}
	err = tx.queryRow(ctx, `SELECT id, kind, incident_id, status_update_id, subscriber_id, maintenance_id, event_id, created_at FROM notices WHERE id = ?`, noticeID).
		Scan(&n.ID, &n.Kind, &n.IncidentID, &n.StatusUpdateID, &n.SubscriberID, &n.MaintenanceID, &n.EventID, scanTime(&n.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Notice %d not found.", noticeID)
	} else if err != nil {
		return nil, fmt.Errorf("load notice: %w", err)
	}
	nc := &warroom.NoticeContext{Notice: n, Members: map[int64]*warroom.User{}, Settings: &warroom.StatusPageSettings{}}
	st := nc.Settings
	if err := tx.queryRow(ctx, `SELECT name, logo_url, accent_color, public_url, updated_at FROM status_page WHERE id = 1`).
		Scan(&st.Name, &st.LogoURL, &st.AccentColor, &st.PublicURL, scanTime(&st.UpdatedAt)); err != nil {
		return nil, fmt.Errorf("load notice: %w", err)
	}
	if err := loadNoticeSubject(ctx, tx, nc); err != nil {
		return nil, err
	}
	if err := loadNoticeAudience(ctx, tx, nc); err != nil {
		return nil, err
	}
	if err := keepToDrill(ctx, tx, nc); err != nil {
		return nil, err
	}
	return nc, tx.commit()
}

// loadNoticeSubject reads what the notice is about.
func loadNoticeSubject(ctx context.Context, tx *tx, nc *warroom.NoticeContext) error {
	n := nc.Notice
	if n.IncidentID > 0 {
		inc, err := findIncident(ctx, tx, n.IncidentID)
		if err != nil {
			return err
		}
		nc.Incident = inc
	}
	if n.StatusUpdateID > 0 {
		us, err := findStatusUpdates(ctx, tx, "id = ?", n.StatusUpdateID)
		if err != nil {
			return err
		} else if len(us) == 0 {
			return warroom.Errorf(warroom.ENOTFOUND, "Status update %d not found.", n.StatusUpdateID)
		}
		nc.Update = us[0]
	}
	// A drill's public update is on no public incident, unless it was sent
	// to the real world.
	if nc.Update != nil && nc.Update.Audience == warroom.AudiencePublic && (nc.Incident == nil || !nc.Incident.Drill || nc.Update.RealWorld) {
		var pid int64
		if err := tx.queryRow(ctx, `SELECT id FROM public_incidents WHERE incident_id = ?`, n.IncidentID).Scan(&pid); err != nil {
			return fmt.Errorf("load notice: public incident: %w", err)
		}
		p := &warroom.PublicIncident{Components: []int64{}, Updates: []*warroom.PublicUpdate{}}
		if err := tx.queryRow(ctx, `SELECT id, incident_id, title, status, impact, created_at, updated_at, resolved_at FROM public_incidents WHERE id = ?`, pid).
			Scan(&p.ID, &p.IncidentID, &p.Title, &p.Status, &p.Impact, scanTime(&p.CreatedAt), scanTime(&p.UpdatedAt), scanNullTime(&p.ResolvedAt)); err != nil {
			return fmt.Errorf("load notice: public incident: %w", err)
		}
		if err := fillPublicIncidents(ctx, tx, map[int64]*warroom.PublicIncident{p.ID: p}); err != nil {
			return err
		}
		nc.PublicIncident = p
	}
	if n.MaintenanceID > 0 {
		ms, err := findMaintenances(ctx, tx, "m.id = ?", n.MaintenanceID)
		if err != nil {
			return err
		} else if len(ms) > 0 && ms[0].CancelledAt == nil {
			nc.Maintenance = ms[0]
		}
	}
	return nil
}

// loadNoticeAudience works out who hears of the notice.
func loadNoticeAudience(ctx context.Context, tx *tx, nc *warroom.NoticeContext) error {
	n := nc.Notice
	var trig warroom.StakeholderTrigger
	switch {
	case n.Kind == warroom.NoticeDeclared:
		trig = warroom.TriggerDeclare
	case n.Kind == warroom.NoticeResolved:
		trig = warroom.TriggerResolve
	case n.Kind == warroom.NoticeStatusUpdate && nc.Update != nil && nc.Update.Audience != warroom.AudienceInternal:
		trig = warroom.TriggerUpdate
	}
	if trig != "" && nc.Incident != nil {
		rules, err := findScopeRules(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range warroom.MatchScope(rules, nc.Incident.Severity, nc.Incident.Type, trig) {
			g, err := findStakeholderGroup(ctx, tx, id)
			if err != nil {
				return err
			}
			nc.Groups = append(nc.Groups, g)
			for _, uid := range g.MemberIDs {
				if err := loadMember(ctx, tx, nc, uid); err != nil {
					return err
				}
			}
		}
	}
	switch {
	case n.Kind == warroom.NoticeConfirm:
		s, err := findSubscriberByID(ctx, tx, n.SubscriberID)
		if err == nil && s.ConfirmedAt == nil {
			nc.Subscribers = []*warroom.Subscriber{s}
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	case nc.PublicIncident != nil || nc.Maintenance != nil:
		ss, err := findSubscribers(ctx, tx, "s.confirmed_at IS NOT NULL")
		if err != nil {
			return err
		}
		var comps []int64
		if nc.PublicIncident != nil {
			comps = nc.PublicIncident.Components
		} else {
			comps = nc.Maintenance.ComponentIDs
		}
		for _, s := range ss {
			if s.Wants(comps) {
				nc.Subscribers = append(nc.Subscribers, s)
			}
		}
	case n.Kind == warroom.NoticeUpdateOverdue:
		as, err := findRoleAssignments(ctx, tx, n.IncidentID, false)
		if err != nil {
			return err
		}
		for _, role := range []string{warroom.RoleCommunications, warroom.RoleCommander} {
			for _, a := range as {
				if a.Role == role && nc.Communicator == nil {
					u, err := findUser(ctx, tx, a.UserID, false)
					if err != nil {
						return err
					}
					if u.Active {
						nc.Communicator = u
					}
				}
			}
		}
	}
	return nil
}

func loadMember(ctx context.Context, tx *tx, nc *warroom.NoticeContext, uid int64) error {
	if _, ok := nc.Members[uid]; ok {
		return nil
	}
	u, err := findUser(ctx, tx, uid, false)
	if err != nil {
		return err
	}
	if u.Active {
		nc.Members[uid] = u
	}
	return nil
}

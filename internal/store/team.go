package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

var _ warroom.TeamService = (*DB)(nil)

// FindTeams lists every team by name, with its members.
func (db *DB) FindTeams(ctx context.Context) ([]*warroom.Team, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ts, err := findTeams(ctx, tx, 0)
	if err != nil {
		return nil, err
	}
	return ts, tx.commit()
}

// FindTeamByID returns one team.
func (db *DB) FindTeamByID(ctx context.Context, id int64) (*warroom.Team, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ts, err := findTeams(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Team %d not found.", id)
	}
	return ts[0], tx.commit()
}

// findTeams returns one team (id > 0) or all, members filled in.
func findTeams(ctx context.Context, tx *tx, id int64) ([]*warroom.Team, error) {
	rows, err := tx.query(ctx, `SELECT id, name, description, created_at, updated_at FROM teams WHERE ? = 0 OR id = ? ORDER BY lower(name), id`, id, id)
	if err != nil {
		return nil, fmt.Errorf("find teams: %w", err)
	}
	defer rows.Close()
	ts, byID := []*warroom.Team{}, map[int64]*warroom.Team{}
	for rows.Next() {
		t := &warroom.Team{MemberIDs: []int64{}}
		if err := rows.Scan(&t.ID, &t.Name, &t.Description, scanTime(&t.CreatedAt), scanTime(&t.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("find teams: %w", err)
		}
		ts, byID[t.ID] = append(ts, t), t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find teams: %w", err)
	}
	rows.Close()
	mrows, err := tx.query(ctx, `SELECT team_id, user_id FROM team_members WHERE ? = 0 OR team_id = ? ORDER BY team_id, user_id`, id, id)
	if err != nil {
		return nil, fmt.Errorf("find team members: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var tid, uid int64
		if err := mrows.Scan(&tid, &uid); err != nil {
			return nil, fmt.Errorf("find team members: %w", err)
		}
		if t := byID[tid]; t != nil {
			t.MemberIDs = append(t.MemberIDs, uid)
		}
	}
	return ts, mrows.Err()
}

// CreateTeam adds a team.
func (db *DB) CreateTeam(ctx context.Context, t *warroom.Team) error {
	if t == nil {
		return warroom.Errorf(warroom.EINVALID, "A team is required.")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	id, err := tx.insert(ctx, `INSERT INTO teams (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)`, t.Name, t.Description, tx.now, tx.now)
	if isUnique(err) {
		return &warroom.Error{Code: warroom.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: team %q exists", t.Name)}
	} else if err != nil {
		return fmt.Errorf("create team: %w", err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt, t.MemberIDs = id, tx.now, tx.now, []int64{}
	if err := writeAudit(ctx, tx, warroom.AuditTeamCreate, "team", id, t); err != nil {
		return err
	}
	return tx.commit()
}

func teamExists(ctx context.Context, tx *tx, id int64) error {
	var n int64
	err := tx.queryRow(ctx, `SELECT id FROM teams WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Team %d not found.", id)
	} else if err != nil {
		return fmt.Errorf("find team: %w", err)
	}
	return nil
}

// AddTeamMember adds an active user to a team.
func (db *DB) AddTeamMember(ctx context.Context, teamID, userID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := teamExists(ctx, tx, teamID); err != nil {
		return err
	} else if err := activeUserExists(ctx, tx, userID, "user_id"); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO team_members (team_id, user_id, added_at) VALUES (?, ?, ?)`, teamID, userID, tx.now)
	if isUnique(err) {
		return warroom.Errorf(warroom.ECONFLICT, "User %d is already a member of team %d.", userID, teamID)
	} else if err != nil {
		return fmt.Errorf("add team member: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditTeamMemberAdd, "team", teamID, map[string]any{"user_id": userID}); err != nil {
		return err
	}
	return tx.commit()
}

// RemoveTeamMember takes a user off a team.
func (db *DB) RemoveTeamMember(ctx context.Context, teamID, userID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, teamID, userID)
	if err != nil {
		return fmt.Errorf("remove team member: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("remove team member: %w", err)
	} else if n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "User %d is not a member of team %d.", userID, teamID)
	}
	if err := writeAudit(ctx, tx, warroom.AuditTeamMemberRemove, "team", teamID, map[string]any{"user_id": userID}); err != nil {
		return err
	}
	return tx.commit()
}

// GrantService gives a user access to a service.
func (db *DB) GrantService(ctx context.Context, userID, serviceID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := findUser(ctx, tx, userID, false); err != nil {
		return err
	}
	var sid int64
	if err := tx.queryRow(ctx, `SELECT id FROM services WHERE id = ?`, serviceID).Scan(&sid); errors.Is(err, sql.ErrNoRows) {
		return &warroom.Error{Code: warroom.ENOTFOUND, Field: "service_id", Message: fmt.Sprintf("service_id: service %d not found", serviceID)}
	} else if err != nil {
		return fmt.Errorf("grant service: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO service_grants (user_id, service_id, granted_by, granted_at) VALUES (?, ?, ?, ?)`,
		userID, serviceID, nullID(warroom.UserIDFromContext(ctx)), tx.now)
	if isUnique(err) {
		return warroom.Errorf(warroom.ECONFLICT, "Service %d is already granted to user %d.", serviceID, userID)
	} else if err != nil {
		return fmt.Errorf("grant service: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditServiceGrant, "user", userID, map[string]any{"service_id": serviceID}); err != nil {
		return err
	}
	return tx.commit()
}

// RevokeService takes a service grant away.
func (db *DB) RevokeService(ctx context.Context, userID, serviceID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `DELETE FROM service_grants WHERE user_id = ? AND service_id = ?`, userID, serviceID)
	if err != nil {
		return fmt.Errorf("revoke service: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("revoke service: %w", err)
	} else if n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Service %d is not granted to user %d.", serviceID, userID)
	}
	if err := writeAudit(ctx, tx, warroom.AuditServiceRevoke, "user", userID, map[string]any{"service_id": serviceID}); err != nil {
		return err
	}
	return tx.commit()
}

// FindUserServiceIDs returns the services granted to a user directly or
// owned (by team name) by one of its teams.
func (db *DB) FindUserServiceIDs(ctx context.Context, userID int64) ([]int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT service_id FROM service_grants WHERE user_id = ?
		UNION
		SELECT s.id FROM services s JOIN teams t ON lower(t.name) = lower(s.team) JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ?
		ORDER BY 1`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("find user services: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find user services: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find user services: %w", err)
	}
	return ids, tx.commit()
}

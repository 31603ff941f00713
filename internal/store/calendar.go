package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/holiday"
)

var _ warroom.CalendarService = (*DB)(nil)

// Ruled regions are filled for years around now; regions of data for all
// the years they have.
const (
	calendarYearsBack  = 5
	calendarYearsAhead = 10
)

func fillRegion(c *warroom.Calendar, now time.Time) {
	holiday.Fill(c, now.Year()-calendarYearsBack, now.Year()+calendarYearsAhead)
}

// findCalendars returns the calendars matching where with their own days
// and their region's.
func findCalendars(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.Calendar, error) {
	rows, err := tx.query(ctx, `SELECT id, name, region, time_zone, created_at, updated_at FROM calendars WHERE `+where+` ORDER BY name, id LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("find calendars: %w", err)
	}
	defer rows.Close()
	var out []*warroom.Calendar
	byID := map[int64]*warroom.Calendar{}
	for rows.Next() {
		var c warroom.Calendar
		if err := rows.Scan(&c.ID, &c.Name, &c.Region, &c.TimeZone, scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("find calendars: %w", err)
		}
		c.Days = []warroom.CalendarDay{}
		fillRegion(&c, tx.now)
		out, byID[c.ID] = append(out, &c), &c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find calendars: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]any, 0, len(out))
	for _, c := range out {
		ids = append(ids, c.ID)
	}
	drows, err := tx.query(ctx, `SELECT calendar_id, day, kind, name, local_name FROM calendar_days WHERE calendar_id IN (`+placeholders(len(ids))+`) ORDER BY calendar_id, day`, ids...)
	if err != nil {
		return nil, fmt.Errorf("find calendar days: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var id int64
		var d warroom.CalendarDay
		if err := drows.Scan(&id, &d.Date, &d.Kind, &d.Name, &d.LocalName); err != nil {
			return nil, fmt.Errorf("find calendar days: %w", err)
		}
		byID[id].Days = append(byID[id].Days, d)
	}
	return out, drows.Err()
}

func findCalendar(ctx context.Context, tx *tx, id int64) (*warroom.Calendar, error) {
	cs, err := findCalendars(ctx, tx, "id = ?", id)
	if err != nil {
		return nil, err
	} else if len(cs) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Calendar %d not found.", id)
	}
	return cs[0], nil
}

// calendarRef loads the calendar a setting or monitor names, reporting a
// missing one as invalid input on field.
func calendarRef(ctx context.Context, tx *tx, id int64, field string) (*warroom.Calendar, error) {
	c, err := findCalendar(ctx, tx, id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return nil, warroom.FieldErrorf(field, "calendar %d not found", id)
	}
	return c, err
}

// FindCalendarByID returns one calendar.
func (db *DB) FindCalendarByID(ctx context.Context, id int64) (*warroom.Calendar, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := findCalendar(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return c, tx.commit()
}

// FindCalendars returns every calendar.
func (db *DB) FindCalendars(ctx context.Context) ([]*warroom.Calendar, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	cs, err := findCalendars(ctx, tx, "1 = 1")
	if err != nil {
		return nil, err
	}
	return cs, tx.commit()
}

// CreateCalendar adds a calendar and its own days.
func (db *DB) CreateCalendar(ctx context.Context, c *warroom.Calendar) error {
	if c == nil {
		return warroom.Errorf(warroom.EINVALID, "A calendar is required.")
	}
	c.Region = strings.ToUpper(strings.TrimSpace(c.Region))
	if c.Region != "" {
		r, ok := holiday.Region(c.Region)
		if !ok {
			return warroom.FieldErrorf("region", "unknown region %q", c.Region)
		}
		if c.TimeZone == "" {
			c.TimeZone = r.TimeZone
		}
	}
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	c.ID, err = tx.insert(ctx, `INSERT INTO calendars (name, region, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		c.Name, c.Region, c.TimeZone, tx.now, tx.now)
	if isUnique(err) {
		return &warroom.Error{Code: warroom.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: a calendar named %q exists", c.Name)}
	} else if err != nil {
		return fmt.Errorf("create calendar: %w", err)
	}
	if err := putCalendarDays(ctx, tx, c.ID, c.Days); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditCalendarCreate, "calendar", c.ID, map[string]any{
		"name": c.Name, "region": c.Region, "time_zone": c.TimeZone, "days": len(c.Days)}); err != nil {
		return err
	}
	fillRegion(c, tx.now)
	return tx.commit()
}

// putCalendarDays writes days, replacing those on the same dates.
func putCalendarDays(ctx context.Context, tx *tx, id int64, days []warroom.CalendarDay) error {
	for _, d := range days {
		if _, err := tx.exec(ctx, `INSERT INTO calendar_days (calendar_id, day, kind, name, local_name) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (calendar_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name, local_name = excluded.local_name`,
			id, d.Date, string(d.Kind), d.Name, d.LocalName); err != nil {
			return fmt.Errorf("put calendar days: %w", err)
		}
	}
	return nil
}

// AddCalendarDays adds or replaces own days.
func (db *DB) AddCalendarDays(ctx context.Context, id int64, days []warroom.CalendarDay) (*warroom.Calendar, error) {
	if len(days) == 0 {
		return nil, warroom.FieldErrorf("days", "are required")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := findCalendar(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	// Validating the merged calendar bounds the total, not just this batch.
	if err := c.MergeDays(days); err != nil {
		return nil, err
	}
	if err := putCalendarDays(ctx, tx, id, days); err != nil {
		return nil, err
	}
	if err := touchCalendar(ctx, tx, c); err != nil {
		return nil, err
	}
	first, last := days[0].Date, days[0].Date
	for _, d := range days {
		first, last = min(first, d.Date), max(last, d.Date)
	}
	if err := writeAudit(ctx, tx, warroom.AuditCalendarDays, "calendar", id, map[string]any{"added": len(days), "from": first, "to": last}); err != nil {
		return nil, err
	}
	return c, tx.commit()
}

func touchCalendar(ctx context.Context, tx *tx, c *warroom.Calendar) error {
	c.UpdatedAt = tx.now
	if _, err := tx.exec(ctx, `UPDATE calendars SET updated_at = ? WHERE id = ?`, tx.now, c.ID); err != nil {
		return fmt.Errorf("touch calendar: %w", err)
	}
	return nil
}

// RemoveCalendarDay removes one own day.
func (db *DB) RemoveCalendarDay(ctx context.Context, id int64, date string) (*warroom.Calendar, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := findCalendar(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	d, ok := findOwnDay(c, date)
	if !ok {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Calendar %q has no day of its own on %s.", c.Name, date)
	}
	if _, err := tx.exec(ctx, `DELETE FROM calendar_days WHERE calendar_id = ? AND day = ?`, id, date); err != nil {
		return nil, fmt.Errorf("remove calendar day: %w", err)
	}
	if err := touchCalendar(ctx, tx, c); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditCalendarDays, "calendar", id, map[string]any{"removed": d}); err != nil {
		return nil, err
	}
	out := c.Days[:0]
	for _, x := range c.Days {
		if x.Date != date {
			out = append(out, x)
		}
	}
	c.Days = out
	return c, tx.commit()
}

func findOwnDay(c *warroom.Calendar, date string) (warroom.CalendarDay, bool) {
	for _, d := range c.Days {
		if d.Date == date {
			return d, true
		}
	}
	return warroom.CalendarDay{}, false
}

// calendarUsers names what follows the calendar: flow monitors and the
// postmortem policy.
func calendarUsers(ctx context.Context, tx *tx, id int64) ([]string, error) {
	var users []string
	ms, _, err := findMonitors(ctx, tx, `kind = 'flow'`, nil, 0, warroom.MaxPageSize)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.BusinessHours.CalendarID == id {
			users = append(users, fmt.Sprintf("monitor %q", m.Name))
		}
	}
	p, err := findPostmortemPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	if p.CalendarID == id {
		users = append(users, "the postmortem policy")
	}
	return users, nil
}

// DeleteCalendar removes a calendar nothing follows.
func (db *DB) DeleteCalendar(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	c, err := findCalendar(ctx, tx, id)
	if err != nil {
		return err
	}
	users, err := calendarUsers(ctx, tx, id)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return warroom.Errorf(warroom.ECONFLICT, "Calendar %q is in use by %s.", c.Name, strings.Join(users, ", "))
	}
	if _, err := tx.exec(ctx, `DELETE FROM calendar_days WHERE calendar_id = ?`, id); err != nil {
		return fmt.Errorf("delete calendar: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM calendars WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete calendar: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditCalendarDelete, "calendar", id, map[string]any{"name": c.Name, "region": c.Region, "days": len(c.Days)}); err != nil {
		return err
	}
	return tx.commit()
}

// CreateHolidayFreezes creates the plan's freeze windows in one
// transaction, each with its own audit row as CreateFreezeWindow writes.
func (db *DB) CreateHolidayFreezes(ctx context.Context, id int64, p warroom.HolidayFreezePlan) ([]*warroom.FreezeWindow, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := findCalendar(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	ids := uniqueIDs(p.ServiceIDs)
	if err := checkServices(ctx, tx, ids); err != nil {
		return nil, err
	}
	holiday.Fill(c, p.Year-1, p.Year+1)
	fs := c.FreezeWindows(p)
	if len(fs) == 0 {
		return nil, warroom.FieldErrorf("year", "calendar %q has no public holidays in %d", c.Name, p.Year)
	}
	uid := warroom.UserIDFromContext(ctx)
	for _, f := range fs {
		if err := f.Validate(); err != nil {
			return nil, err
		}
		f.StartsAt, f.EndsAt = f.StartsAt.UTC().Truncate(time.Microsecond), f.EndsAt.UTC().Truncate(time.Microsecond)
		f.CreatedBy, f.CreatedAt, f.ServiceIDs, f.Exceptions = uid, tx.now, ids, []*warroom.FreezeException{}
		f.ID, err = tx.insert(ctx, `INSERT INTO freeze_windows (name, reason, starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			f.Name, f.Reason, f.StartsAt, f.EndsAt, nullID(uid), tx.now)
		if err != nil {
			return nil, fmt.Errorf("create holiday freeze: %w", err)
		}
		for _, sid := range ids {
			if _, err := tx.exec(ctx, `INSERT INTO freeze_services (freeze_id, service_id) VALUES (?, ?)`, f.ID, sid); err != nil {
				return nil, fmt.Errorf("create holiday freeze: %w", err)
			}
		}
		if err := writeAudit(ctx, tx, warroom.AuditFreezeCreate, "freeze", f.ID, map[string]any{
			"name": f.Name, "reason": f.Reason, "starts_at": f.StartsAt, "ends_at": f.EndsAt, "service_ids": ids, "calendar_id": id,
		}); err != nil {
			return nil, err
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditCalendarFreezeList, "calendar", id, p); err != nil {
		return nil, err
	}
	return fs, tx.commit()
}

// policyDue is from plus n working days of the postmortem policy: its
// calendar's when it names one, Monday to Friday in UTC otherwise. A
// calendar deleted under the policy cannot happen (DeleteCalendar refuses),
// but would fall back to weekdays rather than stop postmortems.
func policyDue(ctx context.Context, tx *tx, p *warroom.PostmortemPolicy, from time.Time, n int) (time.Time, error) {
	if p.CalendarID == 0 {
		return warroom.AddWorkingDays(from, n), nil
	}
	c, err := findCalendar(ctx, tx, p.CalendarID)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return warroom.AddWorkingDays(from, n), nil
	} else if err != nil {
		return time.Time{}, err
	}
	return c.AddWorkingDays(from, n), nil
}

// actionItemDue is the end (18:00) of the n-th working day from now by the
// postmortem policy's calendar; without one, 18:00 UTC of the n-th weekday,
// as the UI dates items picked by day.
func actionItemDue(ctx context.Context, tx *tx, n int) (time.Time, error) {
	p, err := findPostmortemPolicy(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	loc := time.UTC
	day := warroom.AddWorkingDays(tx.now, n)
	if p.CalendarID != 0 {
		c, err := findCalendar(ctx, tx, p.CalendarID)
		if err != nil && warroom.ErrorCode(err) != warroom.ENOTFOUND {
			return time.Time{}, err
		} else if err == nil {
			loc, day = c.Location(), c.AddWorkingDays(tx.now, n)
		}
	}
	y, m, d := day.In(loc).Date()
	return time.Date(y, m, d, 18, 0, 0, 0, loc).UTC(), nil
}

// reminderDayOff reports whether tx.now falls on a day off of the
// postmortem policy's calendar.
func reminderDayOff(ctx context.Context, tx *tx, p *warroom.PostmortemPolicy) (bool, error) {
	if p.CalendarID == 0 {
		return false, nil
	}
	c, err := findCalendar(ctx, tx, p.CalendarID)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return !c.IsWorkingDay(tx.now), nil
}

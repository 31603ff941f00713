package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/warroomhq/warroom"
)

// Calendar is a calendar as the API shows it: with the coverage of its
// years and the dated days and holiday periods of one year.
type Calendar struct {
	warroom.Calendar
	Coverage       warroom.CalendarCoverage `json:"coverage"`
	Year           int                      `json:"year"`
	YearDays       []warroom.CalendarDay    `json:"year_days"`
	HolidayPeriods []warroom.HolidayPeriod  `json:"holiday_periods"`
}

// HolidayCover is one holiday period with the shifts through it.
type HolidayCover struct {
	warroom.HolidayPeriod
	Shifts []*warroom.OnCallShift `json:"shifts"`
}

// FindCalendarRegions lists the built-in regions.
func (c *Client) FindCalendarRegions(ctx context.Context) ([]warroom.CalendarRegion, error) {
	var out struct {
		Regions []warroom.CalendarRegion `json:"regions"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/calendar-regions", nil, nil, &out)
	return out.Regions, err
}

// FindCalendars lists every calendar with its coverage.
func (c *Client) FindCalendars(ctx context.Context) ([]*Calendar, error) {
	var out struct {
		Calendars []*Calendar `json:"calendars"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/calendars", nil, nil, &out)
	return out.Calendars, err
}

// FindCalendar returns a calendar with the days of year (0: this year).
func (c *Client) FindCalendar(ctx context.Context, id int64, year int) (*Calendar, error) {
	q := url.Values{}
	if year != 0 {
		q.Set("year", strconv.Itoa(year))
	}
	var out Calendar
	err := c.do(ctx, http.MethodGet, "/api/v1/calendars/"+itoa(id), q, nil, &out)
	return &out, err
}

// CreateCalendar adds a calendar; zone "" takes the region's.
func (c *Client) CreateCalendar(ctx context.Context, name, region, zone string) (*Calendar, error) {
	var out Calendar
	err := c.do(ctx, http.MethodPost, "/api/v1/calendars", nil, map[string]any{"name": name, "region": region, "time_zone": zone}, &out)
	return &out, err
}

// AddCalendarDays adds or replaces own days.
func (c *Client) AddCalendarDays(ctx context.Context, id int64, days []warroom.CalendarDay) (*Calendar, error) {
	var out Calendar
	err := c.do(ctx, http.MethodPost, "/api/v1/calendars/"+itoa(id)+"/days", nil, map[string]any{"days": days}, &out)
	return &out, err
}

// ImportCalendarDays imports an ICS or JSON file's text; it returns how
// many days were read.
func (c *Client) ImportCalendarDays(ctx context.Context, id int64, format string, kind warroom.CalendarDayKind, data string) (int, *Calendar, error) {
	var out struct {
		Imported int      `json:"imported"`
		Calendar Calendar `json:"calendar"`
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/calendars/"+itoa(id)+"/import", nil, map[string]any{"format": format, "default_kind": kind, "data": data}, &out)
	return out.Imported, &out.Calendar, err
}

// RemoveCalendarDay removes one own day.
func (c *Client) RemoveCalendarDay(ctx context.Context, id int64, date string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/calendars/"+itoa(id)+"/days/"+url.PathEscape(date), nil, nil, nil)
}

// DeleteCalendar removes a calendar nothing follows.
func (c *Client) DeleteCalendar(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/calendars/"+itoa(id), nil, nil, nil)
}

// CreateHolidayFreezes creates the freeze windows of a plan.
func (c *Client) CreateHolidayFreezes(ctx context.Context, id int64, p warroom.HolidayFreezePlan) ([]*warroom.FreezeWindow, error) {
	var out struct {
		Windows []*warroom.FreezeWindow `json:"freeze_windows"`
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/calendars/"+itoa(id)+"/freezes", nil, p, &out)
	return out.Windows, err
}

// FindHolidayCover returns who is on call on a schedule through each
// holiday period of year (0: this year).
func (c *Client) FindHolidayCover(ctx context.Context, id, scheduleID int64, year int) ([]HolidayCover, error) {
	q := url.Values{"schedule_id": {itoa(scheduleID)}}
	if year != 0 {
		q.Set("year", strconv.Itoa(year))
	}
	var out struct {
		Holidays []HolidayCover `json:"holidays"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/calendars/"+itoa(id)+"/holiday-cover", q, nil, &out)
	return out.Holidays, err
}

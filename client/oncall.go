package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/warroomhq/warroom"
)

// FindOnCall returns who is on call at t (zero means now), on one schedule
// or (scheduleID 0) on every one.
func (c *Client) FindOnCall(ctx context.Context, scheduleID int64, t time.Time) ([]*warroom.OnCallShift, error) {
	q := url.Values{}
	if !t.IsZero() {
		q.Set("at", t.UTC().Format(time.RFC3339))
	}
	if scheduleID != 0 {
		q.Set("schedule_id", itoa(scheduleID))
	}
	var out struct {
		Shifts []*warroom.OnCallShift `json:"shifts"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/oncall", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Shifts, nil
}

// FindSchedules lists every schedule.
func (c *Client) FindSchedules(ctx context.Context) ([]*warroom.Schedule, error) {
	var out struct {
		Schedules []*warroom.Schedule `json:"schedules"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/schedules", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Schedules, nil
}

// CreateSchedule adds a schedule; on success s holds the stored fields.
func (c *Client) CreateSchedule(ctx context.Context, s *warroom.Schedule) error {
	return c.do(ctx, http.MethodPost, "/api/v1/schedules", nil, s, s)
}

// Shifts is a schedule's calendar over a window.
type Shifts struct {
	Shifts    []*warroom.OnCallShift      `json:"shifts"`
	Overrides []*warroom.ScheduleOverride `json:"overrides"`
	Swaps     []*warroom.ShiftSwap        `json:"swaps"`
}

// FindShifts returns a schedule's shifts, overrides and swaps in [from, to).
func (c *Client) FindShifts(ctx context.Context, scheduleID int64, from, to time.Time) (*Shifts, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", from.UTC().Format(time.RFC3339))
	}
	if !to.IsZero() {
		q.Set("to", to.UTC().Format(time.RFC3339))
	}
	var out Shifts
	if err := c.do(ctx, http.MethodGet, "/api/v1/schedules/"+itoa(scheduleID)+"/shifts", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateScheduleOverride puts someone on call for a while.
func (c *Client) CreateScheduleOverride(ctx context.Context, o *warroom.ScheduleOverride) error {
	return c.do(ctx, http.MethodPost, "/api/v1/schedules/"+itoa(o.ScheduleID)+"/overrides", nil, o, o)
}

// FindEscalationPolicies lists every policy.
func (c *Client) FindEscalationPolicies(ctx context.Context) ([]*warroom.EscalationPolicy, error) {
	var out struct {
		Policies []*warroom.EscalationPolicy `json:"escalation_policies"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/escalation-policies", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Policies, nil
}

// CreateEscalationPolicy adds a policy.
func (c *Client) CreateEscalationPolicy(ctx context.Context, p *warroom.EscalationPolicy) error {
	return c.do(ctx, http.MethodPost, "/api/v1/escalation-policies", nil, p, p)
}

// SetServiceEscalationPolicy points a service (ID or name) to a policy.
func (c *Client) SetServiceEscalationPolicy(ctx context.Context, service string, policyID int64) error {
	return c.do(ctx, http.MethodPut, "/api/v1/services/"+pathEscape(service)+"/escalation-policy", nil, map[string]int64{"policy_id": policyID}, nil)
}

// Page pages a user, or starts a policy on an incident.
func (c *Client) Page(ctx context.Context, req warroom.PageRequest) error {
	return c.do(ctx, http.MethodPost, "/api/v1/page", nil, req, nil)
}

// EscalateNow notifies the next level of the incident's escalations now.
func (c *Client) EscalateNow(ctx context.Context, incidentID int64) error {
	return c.do(ctx, http.MethodPost, "/api/v1/incidents/"+itoa(incidentID)+"/escalate", nil, nil, nil)
}

// FindEscalations lists an incident's escalations, running and stopped.
func (c *Client) FindEscalations(ctx context.Context, incidentID int64) ([]*warroom.Escalation, error) {
	var out struct {
		Escalations []*warroom.Escalation `json:"escalations"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/incidents/"+itoa(incidentID)+"/escalations", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Escalations, nil
}

// FindContactMethods lists a user's contact methods.
func (c *Client) FindContactMethods(ctx context.Context, userID int64) ([]*warroom.ContactMethod, error) {
	var out struct {
		Methods []*warroom.ContactMethod `json:"contact_methods"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/users/"+itoa(userID)+"/contact-methods", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Methods, nil
}

// CreateContactMethod adds a method; a code is sent to it.
func (c *Client) CreateContactMethod(ctx context.Context, cm *warroom.ContactMethod) error {
	return c.do(ctx, http.MethodPost, "/api/v1/users/"+itoa(cm.UserID)+"/contact-methods", nil, cm, cm)
}

// VerifyContactMethod proves a method with the code it received.
func (c *Client) VerifyContactMethod(ctx context.Context, userID, id int64, code string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/users/"+itoa(userID)+"/contact-methods/"+itoa(id)+"/verify", nil, map[string]string{"code": code}, nil)
}

// SendTestNotification sends a test message to a verified method.
func (c *Client) SendTestNotification(ctx context.Context, userID, id int64) error {
	return c.do(ctx, http.MethodPost, "/api/v1/users/"+itoa(userID)+"/contact-methods/"+itoa(id)+"/test", nil, nil, nil)
}

// CreateNotificationRule adds a rule.
func (c *Client) CreateNotificationRule(ctx context.Context, r *warroom.NotificationRule) error {
	return c.do(ctx, http.MethodPost, "/api/v1/users/"+itoa(r.UserID)+"/notification-rules", nil, r, r)
}

package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// incidentList is the body of GET /api/v1/incidents.
type incidentList struct {
	Incidents []*warroom.Incident `json:"incidents"`
	Total     int                 `json:"total"`
}

// FindIncidents returns a page of incidents matching filter and the total
// number matching. filter.ID is not sent: use FindIncidentByID.
func (c *Client) FindIncidents(ctx context.Context, filter warroom.IncidentFilter) ([]*warroom.Incident, int, error) {
	q := url.Values{}
	if len(filter.States) > 0 {
		s := make([]string, len(filter.States))
		for i, v := range filter.States {
			s[i] = string(v)
		}
		q.Set("state", strings.Join(s, ","))
	}
	if len(filter.Severities) > 0 {
		s := make([]string, len(filter.Severities))
		for i, v := range filter.Severities {
			s[i] = string(v)
		}
		q.Set("severity", strings.Join(s, ","))
	}
	if filter.ServiceID != nil {
		q.Set("service", itoa(*filter.ServiceID))
	}
	if filter.Type != nil {
		q.Set("type", string(*filter.Type))
	}
	if filter.Query != nil {
		q.Set("q", *filter.Query)
	}
	if filter.DetectedAfter != nil {
		q.Set("detected_after", filter.DetectedAfter.UTC().Format(time.RFC3339))
	}
	if filter.DetectedBefore != nil {
		q.Set("detected_before", filter.DetectedBefore.UTC().Format(time.RFC3339))
	}
	if filter.Drill != nil {
		if *filter.Drill {
			q.Set("drill", "true")
		} else {
			q.Set("drill", "false")
		}
	}
	page(q, filter.Offset, filter.Limit)
	var out incidentList
	if err := c.do(ctx, http.MethodGet, "/api/v1/incidents", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Incidents, out.Total, nil
}

// declareRequest holds exactly the fields POST /api/v1/incidents accepts;
// the server refuses unknown fields, so the whole Incident is not sent.
type declareRequest struct {
	Title          string               `json:"title"`
	Summary        string               `json:"summary"`
	Type           warroom.IncidentType `json:"type"`
	Severity       warroom.Severity     `json:"severity,omitempty"`
	SeverityReason string               `json:"severity_reason,omitempty"`
	ServiceIDs     []int64              `json:"service_ids"`
	Impact         warroom.Impact       `json:"impact"`
	Loss           *warroom.Loss        `json:"loss,omitempty"`
	Drill          bool                 `json:"drill,omitempty"`
	DetectedAt     *time.Time           `json:"detected_at,omitempty"`
}

// DeclareIncident opens inc. Severity and SeverityReason, when set, are an
// override of the proposal; DetectedAt, when zero, is left to the server.
// On success inc holds every stored field, including the proposed severity
// and the rule behind it.
func (c *Client) DeclareIncident(ctx context.Context, inc *warroom.Incident) error {
	req := declareRequest{
		Title:          inc.Title,
		Summary:        inc.Summary,
		Type:           inc.Type,
		Severity:       inc.Severity,
		SeverityReason: inc.SeverityReason,
		ServiceIDs:     inc.ServiceIDs,
		Impact:         inc.Impact,
		Drill:          inc.Drill,
	}
	if req.ServiceIDs == nil {
		req.ServiceIDs = []int64{}
	}
	if inc.Loss != (warroom.Loss{}) {
		loss := inc.Loss
		req.Loss = &loss
	}
	if !inc.DetectedAt.IsZero() {
		t := inc.DetectedAt.UTC()
		req.DetectedAt = &t
	}
	return c.do(ctx, http.MethodPost, "/api/v1/incidents", nil, req, inc)
}

// FindIncidentByID returns one incident, given as "INC-42" or "42", with its
// services, SLA status, current roles and tasks.
func (c *Client) FindIncidentByID(ctx context.Context, ref string) (*warroom.Incident, error) {
	return c.incidentCall(ctx, http.MethodGet, ref, "", nil)
}

// UpdateIncident changes the descriptive fields set in upd.
func (c *Client) UpdateIncident(ctx context.Context, ref string, upd warroom.IncidentUpdate) (*warroom.Incident, error) {
	return c.incidentCall(ctx, http.MethodPatch, ref, "", upd)
}

// incidentCall sends body (nil for none) to the incident ref's path plus
// suffix and reads back the incident: the one shape of every call that
// reads or changes a single incident.
func (c *Client) incidentCall(ctx context.Context, method, ref, suffix string, body any) (*warroom.Incident, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var inc warroom.Incident
	if err := c.do(ctx, method, p+suffix, nil, body, &inc); err != nil {
		return nil, err
	}
	return &inc, nil
}

type transitionRequest struct {
	State warroom.State `json:"state"`
	Note  string        `json:"note,omitempty"`
}

// TransitionIncident moves an incident to state to. An illegal step fails
// with ECONFLICT and a message naming the legal next states.
func (c *Client) TransitionIncident(ctx context.Context, ref string, to warroom.State, note string) (*warroom.Incident, error) {
	return c.incidentCall(ctx, http.MethodPost, ref, "/transitions", transitionRequest{State: to, Note: note})
}

type severityRequest struct {
	Severity warroom.Severity `json:"severity"`
	Reason   string           `json:"reason,omitempty"`
}

// SetSeverity sets the severity by hand; reason is required when it differs
// from the proposal.
func (c *Client) SetSeverity(ctx context.Context, ref string, sev warroom.Severity, reason string) (*warroom.Incident, error) {
	return c.incidentCall(ctx, http.MethodPost, ref, "/severity", severityRequest{Severity: sev, Reason: reason})
}

type proposeRequest struct {
	Impact         warroom.Impact `json:"impact"`
	OpenForSeconds int64          `json:"open_for_seconds"`
}

// ProposeSeverity asks which severity the matrix in force proposes for
// impact after an incident has been open for openFor. Nothing is stored.
func (c *Client) ProposeSeverity(ctx context.Context, impact warroom.Impact, openFor time.Duration) (warroom.Proposal, error) {
	var p warroom.Proposal
	err := c.do(ctx, http.MethodPost, "/api/v1/severity/propose", nil, proposeRequest{Impact: impact, OpenForSeconds: int64(openFor / time.Second)}, &p)
	return p, err
}

package client

import (
	"context"
	"net/http"

	"github.com/warroomhq/warroom"
)

type taskList struct {
	Tasks []*warroom.Task `json:"tasks"`
}

// FindTasks lists an incident's tasks by position.
func (c *Client) FindTasks(ctx context.Context, ref string) ([]*warroom.Task, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var out taskList
	if err := c.do(ctx, http.MethodGet, p+"/tasks", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Tasks, nil
}

type taskRequest struct {
	Title      string `json:"title"`
	AssigneeID *int64 `json:"assignee_id,omitempty"`
}

// AddTask appends an ad-hoc task (its Title and AssigneeID) to an incident;
// on success t holds the stored fields.
func (c *Client) AddTask(ctx context.Context, ref string, t *warroom.Task) error {
	p, err := incidentPath(ref)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, p+"/tasks", nil, taskRequest{Title: t.Title, AssigneeID: t.AssigneeID}, t)
}

// UpdateTask renames, (un)assigns or checks off a task.
func (c *Client) UpdateTask(ctx context.Context, ref string, taskID int64, upd warroom.TaskUpdate) (*warroom.Task, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var t warroom.Task
	if err := c.do(ctx, http.MethodPatch, p+"/tasks/"+itoa(taskID), nil, upd, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

type templateList struct {
	Templates []*warroom.SOPTemplate `json:"templates"`
}

// FindSOPTemplates lists every SOP template.
func (c *Client) FindSOPTemplates(ctx context.Context) ([]*warroom.SOPTemplate, error) {
	var out templateList
	if err := c.do(ctx, http.MethodGet, "/api/v1/sop-templates", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Templates, nil
}

// FindSOPTemplateByID returns one SOP template.
func (c *Client) FindSOPTemplateByID(ctx context.Context, id int64) (*warroom.SOPTemplate, error) {
	var t warroom.SOPTemplate
	if err := c.do(ctx, http.MethodGet, "/api/v1/sop-templates/"+itoa(id), nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

type templateRequest struct {
	Name       string                 `json:"name"`
	Severities []warroom.Severity     `json:"severities"`
	Types      []warroom.IncidentType `json:"types"`
	Tasks      []string               `json:"tasks"`
}

func newTemplateRequest(t *warroom.SOPTemplate) templateRequest {
	r := templateRequest{Name: t.Name, Severities: t.Severities, Types: t.Types, Tasks: t.Tasks}
	if r.Severities == nil {
		r.Severities = []warroom.Severity{}
	}
	if r.Types == nil {
		r.Types = []warroom.IncidentType{}
	}
	return r
}

// CreateSOPTemplate adds a template; on success t holds the stored fields.
func (c *Client) CreateSOPTemplate(ctx context.Context, t *warroom.SOPTemplate) error {
	return c.do(ctx, http.MethodPost, "/api/v1/sop-templates", nil, newTemplateRequest(t), t)
}

// ReplaceSOPTemplate replaces a template's fields; on success t holds the
// stored fields.
func (c *Client) ReplaceSOPTemplate(ctx context.Context, id int64, t *warroom.SOPTemplate) error {
	return c.do(ctx, http.MethodPut, "/api/v1/sop-templates/"+itoa(id), nil, newTemplateRequest(t), t)
}

// DeleteSOPTemplate removes a template.
func (c *Client) DeleteSOPTemplate(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/sop-templates/"+itoa(id), nil, nil, nil)
}

package warroom

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SOPTemplate is a runbook checklist agreed in advance (seed 001: "we are
// never as calm as we think"). When an incident matches its severities and
// types, each item becomes a task on the incident.
type SOPTemplate struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Severities and Types restrict where the template applies; empty means
	// any.
	Severities []Severity     `json:"severities"`
	Types      []IncidentType `json:"types"`
	Tasks      []string       `json:"tasks"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

// Applies reports whether the template applies to an incident of severity
// sev and type typ.
func (t *SOPTemplate) Applies(sev Severity, typ IncidentType) bool {
	ok := len(t.Severities) == 0
	for _, s := range t.Severities {
		ok = ok || s == sev
	}
	if !ok {
		return false
	}
	ok = len(t.Types) == 0
	for _, v := range t.Types {
		ok = ok || v == typ
	}
	return ok
}

// Validate checks the template fields.
func (t *SOPTemplate) Validate() error {
	if strings.TrimSpace(t.Name) == "" || utf8.RuneCountInString(t.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	}
	for i, s := range t.Severities {
		if !s.Valid() {
			return FieldErrorf(fmt.Sprintf("severities[%d]", i), "unknown severity %q", s)
		}
	}
	for i, v := range t.Types {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("types[%d]", i), "unknown type %q", v)
		}
	}
	if len(t.Tasks) == 0 || len(t.Tasks) > 100 {
		return FieldErrorf("tasks", "must list 1 to 100 tasks")
	}
	for i, task := range t.Tasks {
		if strings.TrimSpace(task) == "" || utf8.RuneCountInString(task) > MaxTitleLen*2 {
			return FieldErrorf(fmt.Sprintf("tasks[%d]", i), "must be 1 to %d characters", MaxTitleLen*2)
		}
	}
	return nil
}

// Task is an item of work on an incident, usually from an SOP.
type Task struct {
	ID         int64  `json:"id"`
	IncidentID int64  `json:"incident_id"`
	Title      string `json:"title"`
	// TemplateID names the SOP the task came from, nil for ad-hoc tasks.
	TemplateID *int64     `json:"template_id"`
	Position   int        `json:"position"`
	AssigneeID *int64     `json:"assignee_id"`
	Done       bool       `json:"done"`
	DoneAt     *time.Time `json:"done_at"`
	DoneBy     *int64     `json:"done_by"`
	CreatedAt  time.Time  `json:"created_at"`
}

// TaskUpdate changes a task; nil fields are left alone. AssigneeID set to a
// pointer to 0 unassigns.
type TaskUpdate struct {
	Title      *string `json:"title"`
	AssigneeID *int64  `json:"assignee_id"`
	Done       *bool   `json:"done"`
}

// ValidateTaskTitle checks a task title.
func ValidateTaskTitle(title string) error {
	if strings.TrimSpace(title) == "" || utf8.RuneCountInString(title) > MaxTitleLen*2 {
		return FieldErrorf("title", "must be 1 to %d characters", MaxTitleLen*2)
	}
	return nil
}

// SOPService manages SOP templates and the tasks on incidents.
type SOPService interface {
	// FindSOPTemplates lists all templates by name.
	FindSOPTemplates(ctx context.Context) ([]*SOPTemplate, error)

	// FindSOPTemplateByID returns ENOTFOUND.
	FindSOPTemplateByID(ctx context.Context, id int64) (*SOPTemplate, error)

	// CreateSOPTemplate adds a template.
	// Returns EINVALID.
	CreateSOPTemplate(ctx context.Context, t *SOPTemplate) error

	// ReplaceSOPTemplate replaces a template's fields. Tasks already on
	// incidents are not touched.
	// Returns ENOTFOUND, EINVALID.
	ReplaceSOPTemplate(ctx context.Context, id int64, t *SOPTemplate) error

	// DeleteSOPTemplate removes a template.
	// Returns ENOTFOUND.
	DeleteSOPTemplate(ctx context.Context, id int64) error

	// FindTasks lists an incident's tasks by position.
	// Returns ENOTFOUND for the incident.
	FindTasks(ctx context.Context, incidentID int64) ([]*Task, error)

	// AddTask appends an ad-hoc task to an incident.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when closed.
	AddTask(ctx context.Context, incidentID int64, t *Task) error

	// UpdateTask renames, (un)assigns or checks off a task.
	// Returns ENOTFOUND (incident, task or assignee), EINVALID, ECONFLICT
	// when closed.
	UpdateTask(ctx context.Context, incidentID, taskID int64, upd TaskUpdate) (*Task, error)
}

// commanderTaskTitles are the halves of the seeded "Assign an incident
// commander" item, in each language it is written in.
var commanderTaskTitles = []string{"assign an incident commander", "指定事故指挥官"}

// IsCommanderTask reports whether a task title asks for an incident
// commander to be named, so that naming one can tick it off. A title may be
// one language or "English / 中文" as the seeded templates write it; any
// half that matches, ignoring case and surrounding space, is enough.
func IsCommanderTask(title string) bool {
	for _, half := range strings.Split(title, " / ") {
		half = strings.ToLower(strings.TrimSpace(half))
		for _, want := range commanderTaskTitles {
			if half == want {
				return true
			}
		}
	}
	return false
}

// DefaultSOPTemplates are the checklists a new installation starts with, so
// that the first incident already has a plan (seed 001: nobody is as calm as
// they think at 3 a.m.). Each item is written in English and Chinese because
// the SOP is read by whoever is on the call. Admins edit or remove them.
func DefaultSOPTemplates() []*SOPTemplate {
	return []*SOPTemplate{
		{
			Name:       "Major incident / 重大事故",
			Severities: []Severity{P0, P1},
			Tasks: []string{
				"Assign an incident commander / 指定事故指挥官",
				"Open the bridge call and post its link on the incident / 开启应急会议并把链接贴到事故上",
				"Record the impact numbers: users, money, orders / 记录影响数据：用户、金额、订单",
				"Check changes to the affected services in the last 24 hours / 检查受影响服务过去 24 小时的变更",
				"Post the first status update to stakeholders / 向相关方发出第一次进展通报",
				"Decide on rollback or service degradation / 决定是否回滚或服务降级",
				"Record the loss once resolved / 解决后记录损失",
			},
		},
		{
			Name:  "Data loss / 数据丢失",
			Types: []IncidentType{TypeDataLoss},
			Tasks: []string{
				"Stop further writes or deletions on the affected data / 停止对受影响数据的继续写入或删除",
				"Protect the backups: no one deletes or overwrites them / 保护备份：任何人不得删除或覆盖",
				"Verify the latest usable backup and its time / 确认最近可用的备份及其时间点",
				"Estimate the data lost between backup and failure / 评估备份与故障之间丢失的数据",
			},
		},
		{
			Name:  "Security breach / 安全事件",
			Types: []IncidentType{TypeSecurityBreach},
			Tasks: []string{
				"Contain: revoke exposed credentials and block the entry point / 遏制：吊销泄露的凭据并封堵入口",
				"Preserve logs and evidence before changing systems / 在改动系统前保全日志与证据",
				"Inform legal and compliance / 通知法务与合规",
				"Assess whether users or regulators must be notified / 评估是否需要通知用户或监管机构",
			},
		},
	}
}

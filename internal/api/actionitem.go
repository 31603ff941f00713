package api

import (
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
)

func (h *handler) listActionItems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, limit, err := page(q)
	if err != nil {
		return err
	}
	f := warroom.ActionItemFilter{Offset: offset, Limit: limit}
	if f.OwnerID, err = userParam(r, "owner"); err != nil {
		return err
	}
	if s := q.Get("incident"); s != "" {
		id, err := warroom.ParseNumber(s)
		if err != nil {
			return paramError("incident", "must be an incident number such as INC-42, got %q", s)
		}
		f.IncidentID = &id
	}
	if f.PostmortemID, err = intParam(q, "postmortem"); err != nil {
		return err
	}
	for _, s := range listParam(q, "status") {
		st := warroom.ActionItemStatus(s)
		if !st.Valid() {
			return paramError("status", "unknown status %q (want open, in_progress, done or wont_do)", s)
		}
		f.Statuses = append(f.Statuses, st)
	}
	overdue, err := boolParam(q, "overdue")
	if err != nil {
		return err
	}
	if overdue != nil && *overdue {
		now := time.Now()
		f.OverdueAt = &now
	}
	items, n, err := h.ActionItems.FindActionItems(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("action_items", items, n, offset, limit))
	return nil
}

type actionItemRequest struct {
	IncidentID   string    `json:"incident_id"`
	PostmortemID *int64    `json:"postmortem_id"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	OwnerID      int64     `json:"owner_id"`
	DueDate      time.Time `json:"due_date"`
	// DueWorkingDays dates the item by the postmortem policy's calendar.
	DueWorkingDays int                        `json:"due_working_days"`
	Priority       warroom.ActionItemPriority `json:"priority"`
	Kind           warroom.ActionItemKind     `json:"kind"`
	Status         warroom.ActionItemStatus   `json:"status"`
	Links          []string                   `json:"links"`
	SourceType     string                     `json:"source_type"`
	SourceID       int64                      `json:"source_id"`
}

func (h *handler) createActionItem(w http.ResponseWriter, r *http.Request) error {
	var req actionItemRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a := &warroom.ActionItem{PostmortemID: req.PostmortemID, Title: req.Title, Description: req.Description, OwnerID: req.OwnerID,
		DueDate: req.DueDate, DueWorkingDays: req.DueWorkingDays, Priority: req.Priority, Kind: req.Kind, Status: req.Status, Links: req.Links, SourceType: req.SourceType, SourceID: req.SourceID}
	if req.IncidentID != "" {
		id, err := warroom.ParseNumber(req.IncidentID)
		if err != nil {
			return warroom.FieldErrorf("incident_id", "must be an incident number such as INC-42")
		}
		a.IncidentID = id
	}
	if err := a.Validate(); err != nil {
		return err
	} else if err := h.ActionItems.CreateActionItem(r.Context(), a); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, a)
	return nil
}

func (h *handler) getActionItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "action item")
	if err != nil {
		return err
	}
	a, err := h.ActionItems.FindActionItemByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, a)
	return nil
}

func (h *handler) updateActionItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "action item")
	if err != nil {
		return err
	}
	var upd warroom.ActionItemUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	}
	a, err := h.ActionItems.UpdateActionItem(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, a)
	return nil
}

func (h *handler) listReminders(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, limit, err := page(q)
	if err != nil {
		return err
	}
	f := warroom.ReminderFilter{Offset: offset, Limit: limit, TargetType: stringParam(q, "target_type")}
	if f.RecipientID, err = userParam(r, "recipient"); err != nil {
		return err
	}
	if f.TargetID, err = intParam(q, "target_id"); err != nil {
		return err
	}
	rs, n, err := h.Reminders.FindReminders(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("reminders", rs, n, offset, limit))
	return nil
}

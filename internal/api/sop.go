package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// templateRequest holds the fields of an SOP template a caller sets.
type templateRequest struct {
	Name       string                 `json:"name"`
	Severities []warroom.Severity     `json:"severities"`
	Types      []warroom.IncidentType `json:"types"`
	Tasks      []string               `json:"tasks"`
}

func decodeTemplate(w http.ResponseWriter, r *http.Request) (*warroom.SOPTemplate, error) {
	var req templateRequest
	if err := decode(w, r, &req); err != nil {
		return nil, err
	}
	t := &warroom.SOPTemplate{Name: req.Name, Severities: req.Severities, Types: req.Types, Tasks: req.Tasks}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

func (h *handler) listSOPTemplates(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.SOPs.FindSOPTemplates(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("templates", ts))
	return nil
}

func (h *handler) getSOPTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "SOP template")
	if err != nil {
		return err
	}
	t, err := h.SOPs.FindSOPTemplateByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, t)
	return nil
}

func (h *handler) createSOPTemplate(w http.ResponseWriter, r *http.Request) error {
	t, err := decodeTemplate(w, r)
	if err != nil {
		return err
	} else if err := h.SOPs.CreateSOPTemplate(r.Context(), t); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, t)
	return nil
}

func (h *handler) replaceSOPTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "SOP template")
	if err != nil {
		return err
	}
	t, err := decodeTemplate(w, r)
	if err != nil {
		return err
	} else if err := h.SOPs.ReplaceSOPTemplate(r.Context(), id, t); err != nil {
		return err
	}
	stored, err := h.SOPs.FindSOPTemplateByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, stored)
	return nil
}

func (h *handler) deleteSOPTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "SOP template")
	if err != nil {
		return err
	} else if err := h.SOPs.DeleteSOPTemplate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listTasks(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	ts, err := h.SOPs.FindTasks(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("tasks", ts))
	return nil
}

type taskRequest struct {
	Title      string `json:"title"`
	AssigneeID *int64 `json:"assignee_id"`
}

func (h *handler) addTask(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var req taskRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if err := warroom.ValidateTaskTitle(req.Title); err != nil {
		return err
	}
	if req.AssigneeID != nil {
		if err := h.grants().ReachUser(r.Context(), warroom.UserFromContext(r.Context()), "assignee_id", id, *req.AssigneeID); err != nil {
			return err
		}
	}
	t := &warroom.Task{Title: req.Title, AssigneeID: req.AssigneeID}
	if err := h.SOPs.AddTask(r.Context(), id, t); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, t)
	return nil
}

func (h *handler) updateTask(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	taskID, err := pathID(r, "taskID", "task")
	if err != nil {
		return err
	}
	var upd warroom.TaskUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	} else if upd.Title != nil {
		if err := warroom.ValidateTaskTitle(*upd.Title); err != nil {
			return err
		}
	}
	if upd.AssigneeID != nil && *upd.AssigneeID != 0 {
		if err := h.grants().ReachUser(r.Context(), warroom.UserFromContext(r.Context()), "assignee_id", id, *upd.AssigneeID); err != nil {
			return err
		}
	}
	t, err := h.SOPs.UpdateTask(r.Context(), id, taskID, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, t)
	return nil
}

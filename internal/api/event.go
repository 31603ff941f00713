package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

func (h *handler) listEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := warroom.EventFilter{IncidentID: id}
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	for _, s := range listParam(q, "kind") {
		k := warroom.EventKind(s)
		if !k.Valid() {
			return paramError("kind", "unknown event kind %q", s)
		}
		f.Kinds = append(f.Kinds, k)
	}
	after, err := intParam(q, "after_id")
	if err != nil {
		return err
	} else if after != nil {
		f.AfterID = *after
	}
	switch q.Get("order") {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		return paramError("order", "must be asc or desc, got %q", q.Get("order"))
	}
	events, total, err := h.Timeline.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("events", events, total, f.Offset, f.Limit))
	return nil
}

func (h *handler) addNote(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var note warroom.NoteInput
	if err := decode(w, r, &note); err != nil {
		return err
	} else if err := note.Validate(); err != nil {
		return err
	}
	ev, err := h.Timeline.AddNote(r.Context(), id, note)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, ev)
	return nil
}

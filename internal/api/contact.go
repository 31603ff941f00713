package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// contactOwner returns the user whose contact methods a request manages;
// whether the caller may was judged by authorize (Route.Own).
func contactOwner(r *http.Request) (int64, error) {
	return pathID(r, "id", "user")
}

func (h *handler) listContactMethods(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	cms, err := h.Contacts.FindContactMethods(r.Context(), uid)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("contact_methods", cms))
	return nil
}

func (h *handler) createContactMethod(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	var cm warroom.ContactMethod
	if err := decode(w, r, &cm); err != nil {
		return err
	}
	cm.UserID = uid
	if err := h.Contacts.CreateContactMethod(r.Context(), &cm); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &cm)
	return nil
}

func (h *handler) deleteContactMethod(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "methodID", "contact method")
	if err != nil {
		return err
	}
	if err := h.Contacts.DeleteContactMethod(r.Context(), uid, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) sendContactCode(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "methodID", "contact method")
	if err != nil {
		return err
	}
	if err := h.Contacts.SendContactVerification(r.Context(), uid, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

type verifyRequest struct {
	Code string `json:"code"`
}

func (h *handler) verifyContactMethod(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "methodID", "contact method")
	if err != nil {
		return err
	}
	var req verifyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := h.Contacts.VerifyContactMethod(r.Context(), uid, id, req.Code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) testContactMethod(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "methodID", "contact method")
	if err != nil {
		return err
	}
	if err := h.Contacts.SendTestNotification(r.Context(), uid, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *handler) listNotificationRules(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	rs, err := h.Contacts.FindNotificationRules(r.Context(), uid)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("notification_rules", rs))
	return nil
}

func (h *handler) createNotificationRule(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	var nr warroom.NotificationRule
	if err := decode(w, r, &nr); err != nil {
		return err
	}
	nr.UserID = uid
	if err := h.Contacts.CreateNotificationRule(r.Context(), &nr); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &nr)
	return nil
}

func (h *handler) deleteNotificationRule(w http.ResponseWriter, r *http.Request) error {
	uid, err := contactOwner(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "ruleID", "notification rule")
	if err != nil {
		return err
	}
	if err := h.Contacts.DeleteNotificationRule(r.Context(), uid, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

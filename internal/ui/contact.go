package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

type contactData struct {
	Methods []*warroom.ContactMethod
	Rules   []*warroom.NotificationRule
	Names   map[int64]string
	Types   []warroom.ContactType
	// Notice says what just happened (a code or a test was sent).
	Notice string
	Err    string
}

func (d contactData) ErrorText() string { return d.Err }

// The contact pages are always about the signed-in person: people manage
// their own contact methods; an admin uses the API for anyone else's.
func (h *Handler) contactList(w http.ResponseWriter, r *http.Request, rc *request) {
	notice := ""
	switch r.URL.Query().Get("notice") {
	case "code_sent":
		notice = rc.L.T("contact.code_sent")
	case "verified":
		notice = rc.L.T("contact.verified")
	case "test_sent":
		notice = rc.L.T("contact.test_sent")
	}
	h.renderContacts(w, r, rc, http.StatusOK, "", notice)
}

func (h *Handler) renderContacts(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg, notice string) {
	if h.d.Contacts == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	ms, err := h.d.Contacts.FindContactMethods(r.Context(), rc.User.ID)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	rs, err := h.d.Contacts.FindNotificationRules(r.Context(), rc.User.ID)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d := contactData{Methods: ms, Rules: rs, Names: map[int64]string{}, Types: warroom.ContactTypes, Err: errMsg, Notice: notice}
	for _, m := range ms {
		d.Names[m.ID] = m.Name + " (" + string(m.Type) + ")"
	}
	h.render(w, r, rc, status, "contacts", rc.L.T("nav.contacts"), d)
}

func (h *Handler) contactBack(w http.ResponseWriter, r *http.Request, rc *request, err error, notice string) {
	if err != nil {
		h.renderContacts(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), "")
		return
	}
	u := "/contact"
	if notice != "" {
		u += "?notice=" + notice
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (h *Handler) contactCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	cm := &warroom.ContactMethod{UserID: rc.User.ID, Type: warroom.ContactType(r.PostFormValue("type")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Address: strings.TrimSpace(r.PostFormValue("address")), Secret: strings.TrimSpace(r.PostFormValue("secret"))}
	h.contactBack(w, r, rc, h.d.Contacts.CreateContactMethod(r.Context(), cm), "code_sent")
}

func (h *Handler) contactAction(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	switch r.PathValue("action") {
	case "verify":
		h.contactBack(w, r, rc, h.d.Contacts.VerifyContactMethod(r.Context(), rc.User.ID, id, r.PostFormValue("code")), "verified")
	case "code":
		h.contactBack(w, r, rc, h.d.Contacts.SendContactVerification(r.Context(), rc.User.ID, id), "code_sent")
	case "test":
		h.contactBack(w, r, rc, h.d.Contacts.SendTestNotification(r.Context(), rc.User.ID, id), "test_sent")
	case "delete":
		h.contactBack(w, r, rc, h.d.Contacts.DeleteContactMethod(r.Context(), rc.User.ID, id), "")
	default:
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
	}
}

func (h *Handler) ruleCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	cid, _ := strconv.ParseInt(r.PostFormValue("contact_method_id"), 10, 64)
	mins, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("delay_minutes")), 10, 64)
	if err != nil {
		h.contactBack(w, r, rc, warroom.FieldErrorf("delay_minutes", "must be a whole number of minutes"), "")
		return
	}
	rule := &warroom.NotificationRule{UserID: rc.User.ID, ContactMethodID: cid, DelaySeconds: mins * 60}
	h.contactBack(w, r, rc, h.d.Contacts.CreateNotificationRule(r.Context(), rule), "")
}

func (h *Handler) ruleDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.contactBack(w, r, rc, h.d.Contacts.DeleteNotificationRule(r.Context(), rc.User.ID, id), "")
}

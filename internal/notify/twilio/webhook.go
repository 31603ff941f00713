package twilio

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom/internal/notify"
)

// Signature returns X-Twilio-Signature for a request to fullURL with the
// given POST parameters: base64(HMAC-SHA1(authToken, fullURL followed by
// every parameter name and value, sorted by name)). A repeated parameter
// contributes each of its values, in order.
func Signature(authToken, fullURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(fullURL))
	for _, k := range keys {
		for _, v := range params[k] {
			m.Write([]byte(k))
			m.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// maxWebhookBody bounds what a webhook request may carry; Twilio's are a
// few kilobytes.
const maxWebhookBody = 64 << 10

// Handler serves Twilio's callbacks under /hooks/twilio/.
type Handler struct {
	client  *Client
	replies notify.Replier
	logger  *slog.Logger
	mux     *http.ServeMux
}

// NewHandler returns the webhook handler of c; replies acts on answers.
func NewHandler(c *Client, replies notify.Replier, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{client: c, replies: replies, logger: logger, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST /hooks/twilio/sms", h.verified(h.sms))
	h.mux.HandleFunc("POST /hooks/twilio/voice", h.verified(h.voice))
	h.mux.HandleFunc("POST /hooks/twilio/status", h.verified(h.status))
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// verified checks the signature over the URL Twilio was given (warroom's
// public URL, not the address a proxy forwarded to) before next reads
// anything; a request that fails gets 403 and no hint why.
func (h *Handler) verified(next func(http.ResponseWriter, *http.Request, url.Values)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBody)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		full := h.client.public() + r.URL.RequestURI()
		got := r.Header.Get("X-Twilio-Signature")
		want := Signature(h.client.cfg.AuthToken, full, r.PostForm)
		if got == "" || !hmac.Equal([]byte(got), []byte(want)) {
			h.logger.Warn("twilio webhook refused: bad signature", "path", r.URL.Path)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next(w, r, r.PostForm)
	}
}

func twiml(w http.ResponseWriter, r Response) {
	s, err := r.Marshal()
	if err != nil {
		http.Error(w, "twiml", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write([]byte(s))
}

// sms answers an inbound SMS: the reply acts as the verified owner of the
// sending number, and the answer goes back in the same conversation.
func (h *Handler) sms(w http.ResponseWriter, r *http.Request, f url.Values) {
	answer := h.replies.Reply(r.Context(), notify.Reply{Channel: "sms", From: f.Get("From"), Text: f.Get("Body")})
	res := Response{}
	if answer.Text != "" {
		res.Messages = []string{answer.Text}
	}
	twiml(w, res)
}

// voice answers the key pressed in a call. The called number (To) must
// be a verified voice number of the user the call was placed for.
func (h *Handler) voice(w http.ResponseWriter, r *http.Request, f url.Values) {
	incident, _ := strconv.ParseInt(r.URL.Query().Get("incident"), 10, 64)
	user, _ := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64)
	answer := h.replies.Reply(r.Context(), notify.Reply{Channel: "voice", From: f.Get("To"), Text: strings.TrimSpace(f.Get("Digits")),
		IncidentID: incident, UserID: user})
	twiml(w, Response{Says: []Say{{Language: answer.Language, Text: answer.Text}}})
}

// status records what Twilio reports about a message or call: its state,
// and the price once Twilio knows it.
func (h *Handler) status(w http.ResponseWriter, r *http.Request, f url.Values) {
	id, err := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
	if err != nil || id <= 0 {
		http.Error(w, "n: must be a notification id", http.StatusBadRequest)
		return
	}
	st := notify.Receipt{NotificationID: id, Provider: "twilio", ProviderID: first(f.Get("MessageSid"), f.Get("CallSid")),
		Status: first(f.Get("MessageStatus"), f.Get("CallStatus")), ErrorCode: f.Get("ErrorCode"),
		Price: first(f.Get("Price"), f.Get("CallPrice")), PriceUnit: f.Get("PriceUnit")}
	if err := h.replies.Record(context.WithoutCancel(r.Context()), st); err != nil {
		h.logger.Error("record twilio status", "notification", id, "err", err)
		http.Error(w, "not recorded", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

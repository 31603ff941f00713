package statuspage

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/warroomhq/warroom"
)

// maxFormBytes caps the subscribe and unsubscribe forms.
const maxFormBytes = 16 << 10

// limiter allows n requests per window per client address: a fixed window
// is enough to stop a script from mailing confirmation links to a
// thousand addresses through the form.
type limiter struct {
	n      int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

func newLimiter(n int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{n: n, window: window, now: now, counts: map[string]int{}}
}

// allow counts a request from addr and reports whether it is within limit.
func (l *limiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); now.Sub(l.start) >= l.window {
		// A new window forgets every address, which also bounds memory.
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[addr]++
	return l.counts[addr] <= l.n
}

// clientAddr is the peer address; forwarding headers are not trusted, as
// anyone could forge them to escape the limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// subscribe starts an email subscription: double opt-in, so the answer is
// the same whether or not the address was already subscribed.
func (h *Handler) subscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	l := h.cat.lang(h.cat.choose(nil, r))
	if err := r.ParseForm(); err != nil {
		h.message(w, r, l, http.StatusBadRequest, l.T("subscribe.invalid"), nil)
		return
	}
	if v := r.PostFormValue("lang"); v == warroom.LocaleChinese || v == warroom.LocaleEnglish {
		l = h.cat.lang(v)
	}
	if !h.limiter.allow(clientAddr(r)) {
		w.Header().Set("Retry-After", strconv.Itoa(int(h.d.SubscribeWindow/time.Second)))
		h.message(w, r, l, http.StatusTooManyRequests, l.T("subscribe.limited"), nil)
		return
	}
	s := &warroom.Subscriber{Kind: warroom.ChannelEmail, Target: r.PostFormValue("email"), Locale: l.Code}
	for _, v := range r.PostForm["component"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.message(w, r, l, http.StatusBadRequest, l.T("subscribe.invalid"), nil)
			return
		}
		s.ComponentIDs = append(s.ComponentIDs, id)
	}
	if err := h.d.Subscribers.Subscribe(r.Context(), s); err != nil {
		status := http.StatusUnprocessableEntity
		if warroom.ErrorCode(err) == warroom.EINTERNAL {
			h.fail(w, r, l, err)
			return
		} else if warroom.ErrorCode(err) == warroom.ENOTFOUND {
			status = http.StatusNotFound
		}
		h.message(w, r, l, status, l.T("subscribe.invalid"), nil)
		return
	}
	h.message(w, r, l, http.StatusOK, l.T("subscribe.sent"), nil)
}

// confirmForm asks before confirming, for the same reason as
// unsubscribeForm: a mail scanner following the link must not subscribe the
// address for its owner.
func (h *Handler) confirmForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.lang(h.cat.choose(w, r))
	token := r.URL.Query().Get("token")
	if len(token) != 64 {
		h.message(w, r, l, http.StatusNotFound, l.T("subscribe.bad_link"), nil)
		return
	}
	h.message(w, r, l, http.StatusOK, l.T("confirm.title"), tokenForm{Action: "/status/confirm", Token: token, Submit: l.T("confirm.submit")})
}

// confirm confirms a subscription from the button of confirmForm.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	l := h.cat.lang(h.cat.choose(nil, r))
	_ = r.ParseForm()
	s, err := h.d.Subscribers.ConfirmSubscriber(r.Context(), r.PostFormValue("token"))
	if err != nil {
		h.linkError(w, r, l, err)
		return
	}
	h.message(w, r, h.cat.lang(s.Locale), http.StatusOK, h.cat.lang(s.Locale).T("subscribe.confirmed"), nil)
}

func (h *Handler) linkError(w http.ResponseWriter, r *http.Request, l *lang, err error) {
	if warroom.ErrorCode(err) != warroom.ENOTFOUND {
		h.fail(w, r, l, err)
		return
	}
	h.message(w, r, l, http.StatusNotFound, l.T("subscribe.bad_link"), nil)
}

// tokenForm is a one-button form that posts a link's token back, so that
// following a link never changes anything by itself.
type tokenForm struct{ Action, Token, Submit string }

// unsubscribeForm asks before unsubscribing: mail scanners follow every
// link in a message, and a GET that unsubscribed would let them do it.
// The one click is the button; mail clients speaking RFC 8058 POST to the
// same address directly.
func (h *Handler) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.lang(h.cat.choose(w, r))
	token := r.URL.Query().Get("token")
	if len(token) != 64 {
		h.message(w, r, l, http.StatusNotFound, l.T("subscribe.bad_link"), nil)
		return
	}
	h.message(w, r, l, http.StatusOK, l.T("unsubscribe.title"), tokenForm{Action: "/status/unsubscribe", Token: token, Submit: l.T("unsubscribe.submit")})
}

func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	l := h.cat.lang(h.cat.choose(nil, r))
	_ = r.ParseForm()
	if v := r.PostFormValue("lang"); v == warroom.LocaleChinese {
		l = h.cat.lang(v)
	}
	token := r.PostFormValue("token")
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	if err := h.d.Subscribers.Unsubscribe(r.Context(), token); err != nil {
		h.linkError(w, r, l, err)
		return
	}
	h.message(w, r, l, http.StatusOK, l.T("unsubscribe.done"), nil)
}

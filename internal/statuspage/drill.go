package statuspage

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// ServeDrillPreview renders the front page as it would look with a drill's
// public updates on it: the same rendering, marked DRILL on every side,
// kept out of search engines and never cached. It is mounted behind login
// by the web UI; the public page itself is untouched.
func (h *Handler) ServeDrillPreview(w http.ResponseWriter, r *http.Request, p *warroom.DrillPreview) {
	code := h.cat.choose(w, r)
	l := h.cat.lang(code)
	e, err := h.indexPage(r, l, p)
	if err != nil {
		h.fail(w, r, l, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", e.ctype)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body)
}

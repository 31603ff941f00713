package api

import (
	"net/http"

	"github.com/warroomhq/warroom/internal/buildinfo"
)

// version names the running build, for support requests and for checking
// that every instance behind a load balancer was upgraded. It needs a
// login: an exact version tells an attacker which advisories apply.
func (h *handler) version(w http.ResponseWriter, r *http.Request) error {
	h.json(w, r, http.StatusOK, buildinfo.Get())
	return nil
}

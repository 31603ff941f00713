package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// ParseGrafana decodes a Grafana alerting webhook: Alertmanager's format
// plus orgId, title, state, values and the dashboard and panel links.
func ParseGrafana(body []byte) ([]*warroom.AlertEvent, error) {
	return parseWebhook(body, "grafana")
}

// GrafanaMaxSkew is how far a signed timestamp may be from now: enough for
// clock drift and retries, short enough that a captured request cannot be
// replayed later.
const GrafanaMaxSkew = 5 * time.Minute

// VerifyGrafana checks Grafana's HMAC signature: the lowercase hex
// HMAC-SHA256 of the body, or of "timestamp:body" when Grafana is set to send
// a timestamp header, keyed with the shared secret. The comparison takes
// constant time. Returns EUNAUTHORIZED.
func VerifyGrafana(secret string, body []byte, signature, timestamp string, now time.Time) error {
	if signature == "" {
		return warroom.Errorf(warroom.EUNAUTHORIZED, "this integration requires a signed request: X-Grafana-Alerting-Signature is missing")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	if timestamp != "" {
		sec, err := strconv.ParseInt(timestamp, 10, 64)
		if err != nil {
			return warroom.Errorf(warroom.EUNAUTHORIZED, "the signature timestamp %q is not Unix seconds", timestamp)
		}
		if d := now.Sub(time.Unix(sec, 0)); d > GrafanaMaxSkew || d < -GrafanaMaxSkew {
			return warroom.Errorf(warroom.EUNAUTHORIZED, "the signature timestamp is more than %s away from now", GrafanaMaxSkew)
		}
		mac.Write([]byte(timestamp + ":"))
	}
	mac.Write(body)
	want := mac.Sum(nil)
	got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(signature), "sha256="))
	if err != nil || !hmac.Equal(got, want) {
		return warroom.Errorf(warroom.EUNAUTHORIZED, "the request signature does not match this integration's secret")
	}
	return nil
}

package server

import "strings"

// credentialPrefixes are paths whose next segment is itself a credential:
// a signed acknowledge/resolve link, an invitation and a heartbeat token.
// Anyone who can read the logs could otherwise act with them.
var credentialPrefixes = [...]string{"/l/", "/invite/", "/ingest/heartbeat/"}

// LogPath returns a request path as it may be logged: the credential
// segment of the paths above replaced by REDACTED, any other path as is.
func LogPath(p string) string {
	for _, prefix := range credentialPrefixes {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || rest == "" {
			continue
		}
		tail := ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			tail = rest[i:]
		}
		return prefix + "REDACTED" + tail
	}
	return p
}

package server

import (
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// textURL refuses a request whose path or query, once unescaped, is not
// UTF-8 or holds NUL (%ff, %00): no route or filter means such a thing,
// and PostgreSQL refuses to compare it where SQLite finds nothing, which
// made a search for "a%00" a 500 on one engine only. A query that does not
// parse is left to the handler, as before.
func textURL(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if field := badURLText(r.URL); field != "" {
			Error(w, r, logger, &warroom.Error{Code: warroom.EMALFORMED, Field: field,
				Message: field + ": is not valid UTF-8 or contains NUL"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// badURLText names the part of u that is not text: "path", a query
// parameter's name, or "query" when a name itself is not text.
func badURLText(u *url.URL) string {
	if !isText(u.Path) {
		return "path"
	}
	if u.RawQuery == "" || !strings.Contains(u.RawQuery, "%") && utf8.ValidString(u.RawQuery) {
		return ""
	}
	q, _ := url.ParseQuery(u.RawQuery)
	if name := NotText(q); name != "" {
		return name
	}
	return ""
}

// NotText returns the first name in v (sorted), or "query" for a name
// itself, whose value is not UTF-8 or holds NUL; "" when all are text.
// Form handlers use it for the same reason as the URL's check.
func NotText(v url.Values) string {
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !isText(k) {
			return "query"
		}
		for _, s := range v[k] {
			if !isText(s) {
				return k
			}
		}
	}
	return ""
}

func isText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

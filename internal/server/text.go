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
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !isText(k) {
			return "query"
		}
		for _, v := range q[k] {
			if !isText(v) {
				return k
			}
		}
	}
	return ""
}

func isText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

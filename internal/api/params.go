package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// paramError is the error for a query parameter that cannot be read; the
// field is the parameter's name.
func paramError(name, format string, args ...any) error {
	return &warroom.Error{Code: warroom.EMALFORMED, Field: name, Message: name + ": " + fmt.Sprintf(format, args...)}
}

// page reads offset and limit. An absent limit is the default page size and
// a larger one is capped rather than refused, so that clients asking for
// "everything" get the most a page holds.
func page(q url.Values) (offset, limit int, err error) {
	limit = warroom.DefaultPageSize
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			return 0, 0, paramError("offset", "must be a non-negative integer, got %q", s)
		}
	}
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			return 0, 0, paramError("limit", "must be a positive integer, got %q", s)
		}
	}
	return offset, min(limit, warroom.MaxPageSize), nil
}

// listParam returns the values of a parameter that may be repeated or given
// as a comma-separated list.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// stringParam returns a parameter's value, nil when absent or empty.
func stringParam(q url.Values, name string) *string {
	if s := strings.TrimSpace(q.Get(name)); s != "" {
		return &s
	}
	return nil
}

func intParam(q url.Values, name string) (*int64, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, paramError(name, "must be an integer, got %q", s)
	}
	return &v, nil
}

func boolParam(q url.Values, name string) (*bool, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return nil, paramError(name, "must be true or false, got %q", s)
	}
	return &v, nil
}

func timeParam(q url.Values, name string) (*time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, paramError(name, "must be an RFC 3339 time such as 2024-05-01T10:00:00Z, got %q", s)
	}
	return &v, nil
}

// incidentID reads the {id} of an incident route, "42" or "INC-42".
func incidentID(r *http.Request) (int64, error) {
	return warroom.ParseNumber(r.PathValue("id"))
}

// pathID reads a numeric path value. A value that is not a positive
// integer cannot name anything, so it is not found rather than malformed.
func pathID(r *http.Request, name, what string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, warroom.Errorf(warroom.ENOTFOUND, "no %s %q", what, s)
	}
	return id, nil
}

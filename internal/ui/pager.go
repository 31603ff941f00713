package ui

import (
	"net/url"
	"strconv"
)

// pageLinks are a list page's previous and next links: the same query with
// the offset moved by a page of listPageSize, empty where there is no such
// page.
func pageLinks(path string, q url.Values, offset, shown, total int) (prev, next string) {
	page := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(off))
		return path + "?" + v.Encode()
	}
	if offset > 0 {
		prev = page(max(0, offset-listPageSize))
	}
	if offset+shown < total {
		next = page(offset + listPageSize)
	}
	return prev, next
}

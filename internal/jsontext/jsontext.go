// Package jsontext checks the strings of a JSON text before it is decoded.
// encoding/json quietly turns bytes that are not UTF-8, and \u escapes of
// lone surrogates, into U+FFFD: two different keys would then become one,
// and the body kept as received would be refused by PostgreSQL but stored
// by SQLite. RFC 8259 requires JSON to be UTF-8, so such a body is refused
// instead, naming the string at fault. NUL (\u0000) is valid JSON but not
// PostgreSQL text; callers choose where it is refused.
package jsontext

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// NUL says where Check refuses a \u0000 escape.
type NUL int

// Where NUL is refused.
const (
	// NULInNames refuses NUL in member names only: names are identifiers
	// (label names, field names), while values are left to the caller,
	// which knows which are identifiers and which free text.
	NULInNames NUL = iota
	// NULAnywhere refuses NUL in every string.
	NULAnywhere
)

// problem is what is wrong with a string.
type problem int

const (
	none problem = iota
	badUTF8
	loneSurrogate
	nul
)

// Check returns nil when every string of body is valid Unicode text and
// NUL appears only where rule allows it. Otherwise it returns an EMALFORMED
// *warroom.Error whose Field is the JSON path of the first string at fault
// (payload.summary, alerts[3].labels.instance, [2].dedup_key); a member
// name is reported at the path of its object. A body that is not valid
// JSON before the fault gives nil: decoding it reports the syntax error.
func Check(body []byte, rule NUL) error {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u`)) {
		return nil // the common case: nothing to look at closely
	}
	start, p, name := scan(body, rule)
	if p == none {
		return nil
	}
	path, ok := pathAt(body, start)
	if !ok {
		return nil
	}
	what := map[problem]string{
		badUTF8:       "is not valid UTF-8",
		loneSurrogate: "has a \\u escape of a lone UTF-16 surrogate, which is no character",
		nul:           "must not contain NUL (\\u0000)",
	}[p]
	if name {
		what = map[problem]string{
			badUTF8:       "has a member name that is not valid UTF-8",
			loneSurrogate: "has a member name with a \\u escape of a lone UTF-16 surrogate, which is no character",
			nul:           "has a member name with NUL (\\u0000)",
		}[p]
	}
	if path == "" {
		return warroom.Errorf(warroom.EMALFORMED, "request body: %s", what)
	}
	return &warroom.Error{Code: warroom.EMALFORMED, Field: path, Message: path + ": " + what}
}

// scan finds the first string of body at fault and returns the offset of
// its opening quote, what is wrong and whether it is a member name.
func scan(body []byte, rule NUL) (start int, p problem, name bool) {
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		start = i
		p = none
		for i++; i < len(body) && body[i] != '"'; {
			c := body[i]
			switch {
			case c == '\\' && i+1 < len(body) && body[i+1] == 'u':
				r, ok := hex4(body, i+2)
				i += 6
				if !ok {
					continue // a syntax error, the decoder's to report
				}
				switch {
				case r == 0 && p == none:
					p = nul
				case r >= 0xD800 && r < 0xDC00:
					if lo, ok := hex4(body, i+2); ok && body[i] == '\\' && body[i+1] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
						i += 6
					} else {
						return start, loneSurrogate, isName(body, closing(body, i))
					}
				case r >= 0xDC00 && r < 0xE000:
					return start, loneSurrogate, isName(body, closing(body, i))
				}
			case c == '\\':
				i += 2
			case c < utf8.RuneSelf:
				i++
			default:
				r, size := utf8.DecodeRune(body[i:])
				if r == utf8.RuneError && size <= 1 {
					return start, badUTF8, isName(body, closing(body, i))
				}
				i += size
			}
		}
		if p == nul && (rule == NULAnywhere || isName(body, i)) {
			return start, nul, isName(body, i)
		}
	}
	return 0, none, false
}

// hex4 reads the four hex digits of a \u escape at body[i:].
func hex4(body []byte, i int) (rune, bool) {
	if i+4 > len(body) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(body[i:i+4]), 16, 16)
	return rune(n), err == nil
}

// closing returns the offset of the quote that ends the string body[i]
// is in.
func closing(body []byte, i int) int {
	for i < len(body) && body[i] != '"' {
		if body[i] == '\\' {
			i++
		}
		i++
	}
	return i
}

// isName reports whether the string closed at body[end] is a member name,
// that is, followed by a colon.
func isName(body []byte, end int) bool {
	rest := bytes.TrimLeft(body[min(end+1, len(body)):], " \t\r\n")
	return len(rest) > 0 && rest[0] == ':'
}

// frame is where the decoder stands in one object or array.
type frame struct {
	object  bool
	wantKey bool
	key     string
	index   int
}

// pathAt walks body's tokens to the string that opens at offset start and
// returns its JSON path (its object's, for a member name).
func pathAt(body []byte, start int) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var st []frame
	done := func() { // a value ended: the next is a key or the next element
		if n := len(st); n > 0 {
			if st[n-1].object {
				st[n-1].wantKey = true
			} else {
				st[n-1].index++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				st = append(st, frame{object: true, wantKey: true})
			case '[':
				st = append(st, frame{})
			default:
				st = st[:len(st)-1]
				done()
			}
		case string:
			key := len(st) > 0 && st[len(st)-1].object && st[len(st)-1].wantKey
			if dec.InputOffset() > int64(start) {
				if key {
					return path(st[:len(st)-1]), true
				}
				return path(st), true
			}
			if key {
				st[len(st)-1].key, st[len(st)-1].wantKey = t, false
			} else {
				done()
			}
		default:
			done()
		}
	}
}

func path(st []frame) string {
	var b strings.Builder
	for _, f := range st {
		if f.object {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		} else {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return b.String()
}

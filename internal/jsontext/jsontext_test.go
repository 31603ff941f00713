package jsontext_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/jsontext"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		body  string
		rule  jsontext.NUL
		field string // "-" for no error, "" for an error on the whole body
		msg   string
	}{
		{`{"summary":"disk full é ✓ 😀"}`, jsontext.NULAnywhere, "-", ""},
		{`{"summary":"\u00e9 \ud83d\ude00 \\ud800 \\u0000"}`, jsontext.NULAnywhere, "-", ""},
		{`{"payload":{"summary":"a` + "\xff" + `b"}}`, jsontext.NULInNames, "payload.summary", "payload.summary: is not valid UTF-8"},
		{`{"alerts":[{},{},{},{"labels":{"job":"x","instance":"` + "\xc3" + `"}}]}`, jsontext.NULInNames, "alerts[3].labels.instance", "not valid UTF-8"},
		{`{"alerts":[{"labels":{"` + "\xed\xa0\x80" + `":"x"}}]}`, jsontext.NULInNames, "alerts[0].labels", "alerts[0].labels: has a member name that is not valid UTF-8"},
		{`[{"summary":"ok"},{"dedup_key":"\ud800"}]`, jsontext.NULInNames, "[1].dedup_key", "lone UTF-16 surrogate"},
		{`{"k":"\udc00\ud800"}`, jsontext.NULInNames, "k", "lone"},
		{`{"k":"\uD83D x"}`, jsontext.NULInNames, "k", "lone"},
		{`{"k":"\ud83d"}`, jsontext.NULInNames, "k", "lone"},
		{`{"k":"a\u0000b"}`, jsontext.NULInNames, "-", ""},
		{`{"k":"a\u0000b"}`, jsontext.NULAnywhere, "k", "k: must not contain NUL"},
		{`{"labels":{"a\u0000":"b"}}`, jsontext.NULInNames, "labels", "labels: has a member name with NUL"},
		{`{"a":[1,true,null,{"b":"c"},"\u0000"]}`, jsontext.NULAnywhere, "a[4]", "NUL"},
		{`"` + "\x80" + `"`, jsontext.NULInNames, "", "request body: is not valid UTF-8"},
		{`{"a":"x"` + "\xff", jsontext.NULInNames, "-", ""}, // a syntax error: the decoder's to report
	} {
		err := jsontext.Check([]byte(c.body), c.rule)
		if c.field == "-" {
			if err != nil {
				t.Errorf("%q: %v", c.body, err)
			}
			continue
		}
		e, ok := err.(*warroom.Error)
		if !ok || e.Code != warroom.EMALFORMED || e.Field != c.field || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%q: got %#v, want field %q and %q", c.body, err, c.field, c.msg)
		}
	}
}

// FuzzCheck holds Check to what encoding/json does: a valid JSON text is
// refused for its UTF-8 exactly when decoding it would make up a U+FFFD
// that was not sent, and for NUL exactly when a decoded string has one.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\ud800"}`, `["\ud83d\ude00","\ufffd","` + "\xff\xef\xbf\xbd" + `"]`,
		`{"\\ud800":"\\\ud800"}`, `{"a\u0000":[1,{"b":"\u0000"}]}`, `"\uDBFF\uDFFF\uDBFF"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := jsontext.Check(body, jsontext.NULAnywhere)
		loose := jsontext.Check(body, jsontext.NULInNames)
		if !json.Valid(body) {
			return
		}
		strs, ok := strings_(body)
		if !ok {
			return
		}
		made, nulAt := 0, false
		for _, s := range strs {
			made += strings.Count(s, "\ufffd")
			nulAt = nulAt || strings.ContainsRune(s, 0)
		}
		sent := sentReplacements(body)
		utf8Fault := made > sent
		isNUL := func(err error) bool { return err != nil && strings.Contains(err.Error(), "NUL") }
		switch {
		case utf8Fault && (err == nil || loose == nil):
			t.Fatalf("decoding makes up %d U+FFFD, but Check says %v and %v", made-sent, err, loose)
		case !utf8Fault && !nulAt && (err != nil || loose != nil):
			t.Fatalf("refused %v, %v, yet nothing is lost", err, loose)
		case nulAt && err == nil:
			t.Fatal("a decoded string has NUL, but Check accepts it")
		case !utf8Fault && (err != nil && !isNUL(err) || loose != nil && !isNUL(loose)):
			t.Fatalf("nothing is lost, yet %v, %v", err, loose)
		case !nulAt && (isNUL(err) || isNUL(loose)):
			t.Fatalf("no NUL, yet %v, %v", err, loose)
		case isNUL(loose) && !strings.Contains(loose.Error(), "member name with NUL"):
			t.Fatalf("NUL refused in a value: %v", loose)
		}
		if err != nil && strings.Contains(err.Error(), "\xff") {
			t.Fatalf("the message is not text: %q", err)
		}
	})
}

// strings_ returns every decoded string of body, names included, as the
// tokens give them: duplicate names that a map would merge are all there.
func strings_(body []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var out []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, true
		} else if err != nil {
			return nil, false
		}
		if s, ok := tok.(string); ok {
			out = append(out, s)
		}
	}
}

// sentReplacements counts the U+FFFD a body really carries: as UTF-8 and
// as a \ufffd escape (a backslash that is not itself escaped).
func sentReplacements(body []byte) int {
	n := 0
	for i := 0; i < len(body); {
		if body[i] == '\\' && i+1 < len(body) {
			if body[i+1] == 'u' && i+6 <= len(body) && strings.EqualFold(string(body[i+2:i+6]), "fffd") {
				n++
			}
			i += 2
			continue
		}
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size == 3 {
			n++
		}
		i += size
	}
	return n
}

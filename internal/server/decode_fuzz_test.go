package server_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
)

type fuzzTarget struct {
	Title  string            `json:"title"`
	Tags   []string          `json:"tags"`
	Labels map[string]string `json:"labels"`
	Nested *struct {
		Text string `json:"text"`
	} `json:"nested"`
}

// FuzzDecode: every refusal is a coded 400 or 413, never a panic, and what
// is accepted holds only text both engines store alike: UTF-8, no NUL, and
// no U+FFFD that was not sent.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"title":"x","tags":["a"],"labels":{"k":"v"},"nested":{"text":"t"}}`,
		`{"title":"\ud800"}`, "{\"tags\":[\"a\",\"\xff\"]}", `{"labels":{"k\u0000":"v"}}`, `{"nested":{"text":"\ufffd\ud83d\ude00"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v fuzzTarget
		err := server.Decode(body, &v)
		if err != nil {
			if c := warroom.ErrorCode(err); c != warroom.EMALFORMED {
				t.Fatalf("code %q: %v", c, err)
			}
			if !utf8.ValidString(warroom.ErrorMessage(err)) {
				t.Fatalf("message is not text: %q", warroom.ErrorMessage(err))
			}
			return
		}
		texts := append([]string{v.Title}, v.Tags...)
		for k, l := range v.Labels {
			texts = append(texts, k, l)
		}
		if v.Nested != nil {
			texts = append(texts, v.Nested.Text)
		}
		sent := bytes.Contains(body, []byte("\ufffd")) || strings.Contains(strings.ToLower(string(body)), `\ufffd`)
		for _, s := range texts {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, utf8.RuneError) && !sent {
				t.Fatalf("accepted %q from %q", s, body)
			}
		}
	})
}

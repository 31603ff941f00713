package jsontext_test

import (
	"os"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/ingest"
	"github.com/warroomhq/warroom/internal/jsontext"
)

// BenchmarkCheck measures what the check adds to parsing an Alertmanager
// webhook, ASCII and with \u escapes (which take the slow path).
func BenchmarkCheck(b *testing.B) {
	body, err := os.ReadFile("../ingest/testdata/alertmanager_firing.json")
	if err != nil {
		b.Fatal(err)
	}
	escaped := []byte(strings.Replace(string(body), `"summary": "`, `"summary": "\u00e9\ud83d\ude00 `, 1))
	for _, c := range []struct {
		name string
		body []byte
	}{{"ascii", body}, {"escapes", escaped}} {
		b.Run("check/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if err := jsontext.Check(c.body, jsontext.NULInNames); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("parse/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if _, err := ingest.ParseAlertmanager(c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

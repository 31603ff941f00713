package checkpoint_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/checkpoint"
)

func TestParseDestinations(t *testing.T) {
	ds, err := checkpoint.ParseDestinations(" /var/lib/cp.jsonl, file:rel.jsonl ,mailto:Audit <audit@example.com>,https://u:p@logs.example.com/in?token=x")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"file:/var/lib/cp.jsonl", "file:rel.jsonl", "email:audit@example.com", "webhook:https://logs.example.com/in"}
	if len(ds) != len(want) {
		t.Fatalf("got %v, want %v", ds, want)
	}
	for i, d := range ds {
		if d.String() != want[i] {
			t.Errorf("destination %d = %s, want %s", i, d, want[i])
		}
	}
	for _, bad := range []string{"mailto:nobody", "https://", "ftp://x/y", "file:"} {
		if _, err := checkpoint.ParseDestinations(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestWriteRead writes checkpoints to a real file and a real HTTP server
// and reads the file back.
func TestWriteRead(t *testing.T) {
	var posted []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posted = append(posted, string(b))
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "cp.jsonl")
	w := &checkpoint.Writer{Destinations: []checkpoint.Destination{{Kind: checkpoint.KindFile, Target: path}, {Kind: checkpoint.KindWebhook, Target: srv.URL}}}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		cp := &warroom.AuditCheckpoint{Seq: int64(10 * (i + 1)), Head: strings.Repeat("a", 64), At: at.Add(time.Duration(i) * time.Hour), MAC: strings.Repeat("b", 64)}
		if err := w.Write(context.Background(), cp); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cps, err := checkpoint.Read(f)
	if err != nil || len(cps) != 3 || cps[2].Seq != 30 || !cps[2].At.Equal(at.Add(2*time.Hour)) {
		t.Fatalf("read %+v, %v", cps, err)
	}
	if len(posted) != 3 || !strings.Contains(posted[0], `"seq":10`) {
		t.Errorf("posted %q", posted)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer srv.Close()
	w := &checkpoint.Writer{Destinations: []checkpoint.Destination{{Kind: checkpoint.KindWebhook, Target: srv.URL + "/?token=secret"}, {Kind: checkpoint.KindEmail, Target: "a@example.com"}}}
	err := w.Write(context.Background(), &warroom.AuditCheckpoint{Seq: 1, At: time.Now(), MAC: "x"})
	if err == nil || !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "email is off") || strings.Contains(err.Error(), "secret") {
		t.Errorf("error = %v; want both failures named, the token not", err)
	}
}

func TestReadRefuses(t *testing.T) {
	for _, in := range []string{
		`{"seq":1,"head":"a","at":"2026-03-01T12:00:00Z"}`,
		`{"seq":1,"head":"a","at":"2026-03-01T12:00:00Z","mac":"m","extra":1}`,
		`{"seq":1,"head":"a","at":"2026-03-01T12:00:00Z","mac":"m"}{"seq":2}`,
		`not json`,
		strings.Repeat("x", checkpoint.MaxLine+1),
	} {
		if cps, err := checkpoint.Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read(%.40q) = %+v, want an error", in, cps)
		}
	}
}

// FuzzRead checks that any file either reads or is refused with an error,
// and that what reads writes back the same.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"seq":1,"head":"a","at":"2026-03-01T12:00:00Z","mac":"m"}` + "\n\n"))
	f.Add([]byte(`{"seq":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cps, err := checkpoint.Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "cp.jsonl")
		w := &checkpoint.Writer{Destinations: []checkpoint.Destination{{Kind: checkpoint.KindFile, Target: path}}}
		for i := range cps {
			if err := w.Write(context.Background(), &cps[i]); err != nil {
				t.Fatal(err)
			}
		}
		raw, _ := os.ReadFile(path)
		again, err := checkpoint.Read(bytes.NewReader(raw))
		if err != nil || len(again) != len(cps) {
			t.Fatalf("round trip: %d checkpoints, then %d, %v", len(cps), len(again), err)
		}
		for i := range cps {
			if again[i].Seq != cps[i].Seq || again[i].Head != cps[i].Head || again[i].MAC != cps[i].MAC || !again[i].At.Equal(cps[i].At) {
				t.Fatalf("round trip changed %+v to %+v", cps[i], again[i])
			}
		}
	})
}

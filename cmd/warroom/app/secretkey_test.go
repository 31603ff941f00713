package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestMain_SecretKeyMismatch: started again with another WARROOM_SECRET_KEY,
// the server refuses to start and says why, instead of serving 500s.
func TestMain_SecretKeyMismatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		dsn := storetest.DSN(t, engine)
		first := strings.Repeat("ab", 32)
		m, _ := runMain(t, dsn, map[string]string{"WARROOM_SECRET_KEY": first})
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}

		m2 := app.NewMain()
		m2.Getenv = func(k string) string {
			return map[string]string{"WARROOM_SECRET_KEY": strings.Repeat("cd", 32)}[k]
		}
		m2.Stderr, m2.Logger = &bytes.Buffer{}, slog.New(slog.DiscardHandler)
		if err := m2.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0", "--database", dsn}); err != nil {
			t.Fatal(err)
		}
		err := m2.Run(context.Background())
		if err == nil {
			m2.Close()
			t.Fatal("started with another key")
		}
		if msg := err.Error(); !strings.Contains(msg, "WARROOM_SECRET_KEY") || !strings.Contains(msg, "another key") {
			t.Errorf("error %q does not say the key is wrong and where it came from", msg)
		}
		// The first key still starts it.
		runMain(t, dsn, map[string]string{"WARROOM_SECRET_KEY": first})
	})
}

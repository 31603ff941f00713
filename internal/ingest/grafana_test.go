package ingest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
)

func sign(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func TestVerifyGrafana(t *testing.T) {
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(now.Unix(), 10)
	old := strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10)
	body := `{"alerts":[]}`
	for _, tt := range []struct {
		name, sig, ts string
		ok            bool
	}{
		{"BodyOnly", sign("s3cret", body), "", true},
		{"WithTimestamp", sign("s3cret", ts+":"+body), ts, true},
		{"Missing", "", "", false},
		{"WrongSecret", sign("other", body), "", false},
		{"NotHex", "zz", "", false},
		{"TimestampNotSigned", sign("s3cret", body), ts, false},
		{"Replayed", sign("s3cret", old+":"+body), old, false},
		{"BadTimestamp", sign("s3cret", "x:"+body), "x", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ingest.VerifyGrafana("s3cret", []byte(body), tt.sig, tt.ts, now)
			if tt.ok && err != nil {
				t.Errorf("err = %v, want nil", err)
			} else if !tt.ok && warroom.ErrorCode(err) != warroom.EUNAUTHORIZED {
				t.Errorf("err = %v, want %s", err, warroom.EUNAUTHORIZED)
			}
		})
	}
}

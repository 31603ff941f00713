package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

var (
	auditKey   = bytes.Repeat([]byte{7}, 32)
	anotherKey = bytes.Repeat([]byte{9}, 32)
)

// keyedAudit opens a keyed store, writes a few entries through warroom and
// takes a checkpoint; it returns the entry IDs, oldest first.
func keyedAudit(t *testing.T, engine string) (*store.DB, string, []int64, *warroom.AuditCheckpoint) {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, engine)
	db, err := store.Open(ctx, dsn, store.Options{AuditKey: auditKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
	for _, name := range []string{"a", "b", "c", "d"} {
		if err := db.CreateService(actx, &warroom.Service{Name: name, Tier: 2}); err != nil {
			t.Fatal(err)
		}
	}
	cp, err := db.CheckpointAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	es, _, err := db.FindAuditEntries(ctx, warroom.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[len(es)-1-i] = e.ID
	}
	if cp.Seq != ids[len(ids)-1] {
		t.Fatalf("checkpoint at %d, newest entry %d", cp.Seq, ids[len(ids)-1])
	}
	return db, dsn, ids, cp
}

// TestAuditCheckpointTamper tampers with a keyed log as someone with full
// access to the database but not to the key would, and checks that
// `audit verify --checkpoint` catches each way.
func TestAuditCheckpointTamper(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB
		want   warroom.AuditBreak
		bad    func(ids []int64, cp *warroom.AuditCheckpoint) int64
		// caught says the chain alone, without a checkpoint, sees it.
		caught bool
	}{
		{"Edit", func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB {
			raw(`UPDATE audit_log SET source_ip = '10.6.6.6' WHERE id = $3`)
			return db
		}, warroom.AuditModified, func(ids []int64, _ *warroom.AuditCheckpoint) int64 { return ids[3] }, true},
		{"EditRehash", func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB {
			raw(`UPDATE audit_log SET data = '{"tier":{"from":2,"to":1}}' WHERE id = $3`)
			rechain(t, db, nil)
			return db
		}, warroom.AuditModified, func(ids []int64, _ *warroom.AuditCheckpoint) int64 { return ids[0] }, true},
		{"EditRehashWrongKey", func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB {
			raw(`UPDATE audit_log SET data = '{"tier":{"from":2,"to":1}}' WHERE id = $3`)
			rechain(t, db, anotherKey)
			return db
		}, warroom.AuditModified, func(ids []int64, _ *warroom.AuditCheckpoint) int64 { return ids[0] }, true},
		{"MiddleDeleteRehash", func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB {
			raw(`DELETE FROM audit_log WHERE id = $3`)
			rechain(t, db, nil)
			return db
		}, warroom.AuditModified, func(ids []int64, _ *warroom.AuditCheckpoint) int64 { return ids[0] }, true},
		{"TailDeleteHeadMove", func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB {
			raw(`DELETE FROM audit_log WHERE id > $2`)
			raw(`UPDATE audit_chain SET head_id = $2, head_hash = (SELECT hash FROM audit_log WHERE id = $2) WHERE id = 1`)
			return db
		}, warroom.AuditTruncated, func(_ []int64, cp *warroom.AuditCheckpoint) int64 { return cp.Seq }, false},
		{"Wipe", func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB {
			raw(`DELETE FROM audit_log`)
			raw(`UPDATE audit_chain SET head_id = 0, head_hash = '' WHERE id = 1`)
			return db
		}, warroom.AuditEmptied, func(_ []int64, cp *warroom.AuditCheckpoint) int64 { return cp.Seq }, false},
		{"DowngradeEditRehash", func(ctx context.Context, t *testing.T, db *store.DB, dsn string, raw func(string, ...any)) *store.DB {
			// Back to the unkeyed format, so that the next start with
			// the key MACs the forged log as if it were an old one.
			raw(`UPDATE audit_log SET data = '{"tier":{"from":2,"to":1}}' WHERE id = $3`)
			raw(`UPDATE audit_chain SET key_check = '' WHERE id = 1`)
			db.Close()
			unkeyed, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			rechain(t, unkeyed, nil)
			unkeyed.Close()
			db, err = store.Open(ctx, dsn, store.Options{AuditKey: auditKey})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}, warroom.AuditRewritten, func(_ []int64, cp *warroom.AuditCheckpoint) int64 { return cp.Seq }, false},
	}
	storetest.Run(t, func(t *testing.T, engine string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				db, dsn, ids, cp := keyedAudit(t, engine)
				if v, err := db.VerifyAuditCheckpoints(ctx, []warroom.AuditCheckpoint{*cp}); err != nil || !v.OK {
					t.Fatalf("before tampering: %+v, %v", v, err)
				}
				raw := func(q string, args ...any) {
					q = strings.NewReplacer("$3", itoa(ids[3]), "$2", itoa(ids[2])).Replace(q)
					if _, err := openRaw(t, engine, dsn).Exec(q, args...); err != nil {
						t.Fatalf("tamper %q: %v", q, err)
					}
				}
				db = tt.tamper(ctx, t, db, dsn, raw)
				v, err := db.VerifyAuditCheckpoints(ctx, []warroom.AuditCheckpoint{*cp})
				if err != nil {
					t.Fatal(err)
				}
				if want := tt.bad(ids, cp); v.OK || v.Break != tt.want || v.FirstBadID != want {
					t.Errorf("verify --checkpoint = %+v, want break %q at entry %d", v, tt.want, want)
				}
				v, err = db.VerifyAudit(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if v.OK == tt.caught {
					t.Errorf("verify without checkpoint = %+v; caught by the chain alone: want %v", v, tt.caught)
				}
			})
		}
	})
}

func rechain(t *testing.T, db *store.DB, key []byte) {
	t.Helper()
	if err := store.RechainAudit(context.Background(), db, key); err != nil {
		t.Fatalf("rechain: %v", err)
	}
}

// TestAuditCheckpointForged checks that a checkpoint not made with the key,
// or altered, is reported rather than trusted.
func TestAuditCheckpointForged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db, _, _, cp := keyedAudit(t, engine)
		forged := *cp
		forged.Seq += 100
		v, err := db.VerifyAuditCheckpoints(ctx, []warroom.AuditCheckpoint{*cp, forged})
		if err != nil || v.OK || v.Break != warroom.AuditBadCheckpoint {
			t.Errorf("verify = %+v, %v; want a bad checkpoint", v, err)
		}
	})
}

// TestAuditKeyUpgrade opens a log written unkeyed with a key: it is MACed
// once, says so in its own first keyed entry, still verifies, and refuses
// another key or writes without one from then on.
func TestAuditKeyUpgrade(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		if err := db.CreateService(actx, &warroom.Service{Name: "old", Tier: 2}); err != nil {
			t.Fatal(err)
		}
		before, err := db.VerifyAudit(ctx)
		if err != nil || !before.OK {
			t.Fatalf("unkeyed: %+v, %v", before, err)
		}
		if _, err := db.CheckpointAudit(ctx); warroom.ErrorCode(err) != warroom.EINVALID {
			t.Errorf("checkpoint of an unkeyed log: %v, want EINVALID", err)
		}
		db.Close()

		db, err = store.Open(ctx, dsn, store.Options{AuditKey: auditKey})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.VerifyAudit(ctx)
		if err != nil || !v.OK || v.Entries != before.Entries+1 {
			t.Fatalf("after keying: %+v, %v; want %d entries intact", v, err, before.Entries+1)
		}
		act := warroom.AuditChainKeyed
		es, _, err := db.FindAuditEntries(ctx, warroom.AuditFilter{Action: &act})
		if err != nil || len(es) != 1 || es[0].ActorID != 0 || !strings.Contains(string(es[0].Data), `"unkeyed_chain_intact":true`) {
			t.Fatalf("keyed entry = %+v, %v", es, err)
		}
		if err := db.CreateService(actx, &warroom.Service{Name: "new", Tier: 2}); err != nil {
			t.Fatal(err)
		}
		db.Close()

		if _, err := store.Open(ctx, dsn, store.Options{AuditKey: anotherKey}); !errors.Is(err, store.ErrAuditKeyMismatch) {
			t.Errorf("open with another key: %v, want ErrAuditKeyMismatch", err)
		}
		db, err = store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.CreateService(actx, &warroom.Service{Name: "nokey", Tier: 2}); !errors.Is(err, store.ErrAuditKeyRequired) {
			t.Errorf("write to a keyed log without the key: %v, want ErrAuditKeyRequired", err)
		}
		if _, err := db.VerifyAudit(ctx); !errors.Is(err, store.ErrAuditKeyRequired) {
			t.Errorf("verify a keyed log without the key: %v, want ErrAuditKeyRequired", err)
		}
	})
}

// TestAuditKeyUpgradeBroken keys a log whose unkeyed chain was already
// broken: the break is kept on record in the first keyed entry.
func TestAuditKeyUpgradeBroken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		if err := db.CreateService(actx, &warroom.Service{Name: "old", Tier: 2}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := openRaw(t, engine, dsn).Exec(`UPDATE audit_log SET source_ip = '10.6.6.6' WHERE action = 'service.create'`); err != nil {
			t.Fatal(err)
		}
		db, err = store.Open(ctx, dsn, store.Options{AuditKey: auditKey})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		act := warroom.AuditChainKeyed
		es, _, err := db.FindAuditEntries(ctx, warroom.AuditFilter{Action: &act})
		if err != nil || len(es) != 1 || !strings.Contains(string(es[0].Data), `"unkeyed_chain_intact":false`) {
			t.Fatalf("keyed entry = %+v, %v; want the old break on record", es, err)
		}
		// Keying must not launder the break: verify keeps reporting it.
		v, err := db.VerifyAudit(ctx)
		if err != nil || v.OK || v.Break != warroom.AuditBrokenBeforeKey || v.FirstBadID == 0 {
			t.Errorf("verify = %+v, %v; want the break from before the key", v, err)
		}
	})
}

// TestAuditCheckpointSchedule checks that a scheduled checkpoint is due
// once per interval and that a deferred one waits.
func TestAuditCheckpointSchedule(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db, _, _, _ := keyedAudit(t, engine)
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		claim := func(at time.Time) *warroom.AuditCheckpoint {
			t.Helper()
			cp, err := db.ClaimAuditCheckpoint(ctx, at, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return cp
		}
		cp := claim(now)
		if cp == nil || !cp.At.Equal(now) {
			t.Fatalf("first claim = %+v, want a checkpoint at %v", cp, now)
		}
		if v, err := db.VerifyAuditCheckpoints(ctx, []warroom.AuditCheckpoint{*cp}); err != nil || !v.OK {
			t.Fatalf("claimed checkpoint does not verify: %+v, %v", v, err)
		}
		if cp := claim(now.Add(59 * time.Minute)); cp != nil {
			t.Errorf("claimed again within the hour: %+v", cp)
		}
		if cp := claim(now.Add(time.Hour)); cp == nil {
			t.Errorf("not due after the hour")
		}
		if err := db.DeferAuditCheckpoint(ctx, now.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if cp := claim(now.Add(2*time.Hour + 30*time.Minute)); cp != nil {
			t.Errorf("claimed before the deferred time: %+v", cp)
		}
		if cp := claim(now.Add(3 * time.Hour)); cp == nil {
			t.Errorf("not due at the deferred time")
		}
	})
}

// TestAuditCheckpointSettings checks that each change of the checkpoint
// settings, and only a change, is an audit entry, and that a token in them
// is not stored.
func TestAuditCheckpointSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db, _, _, _ := keyedAudit(t, engine)
		steps := []struct {
			settings, desc string
			want           bool
		}{
			{"", "none", false},
			{"every=1h;https://logs.example.com/in?token=s3cret", "every 1h to webhook:https://logs.example.com/in", true},
			{"every=1h;https://logs.example.com/in?token=s3cret", "every 1h to webhook:https://logs.example.com/in", false},
			{"every=1h;https://logs.example.com/in?token=other", "every 1h to webhook:https://logs.example.com/in", true},
			{"", "none", true},
		}
		for i, s := range steps {
			got, err := db.RecordAuditCheckpointSettings(ctx, s.settings, s.desc)
			if err != nil || got != s.want {
				t.Fatalf("step %d: recorded %v, %v; want %v", i, got, err, s.want)
			}
		}
		act := warroom.AuditCheckpointSettings
		es, _, err := db.FindAuditEntries(ctx, warroom.AuditFilter{Action: &act})
		if err != nil || len(es) != 3 {
			t.Fatalf("entries %+v, %v; want 3", es, err)
		}
		for _, e := range es {
			if e.ActorID != 0 || strings.Contains(string(e.Data), "s3cret") {
				t.Errorf("entry %s: want the system as actor and no token", e.Data)
			}
		}
		if !strings.Contains(string(es[0].Data), `"to":"none"`) {
			t.Errorf("newest entry %s: want checkpoints turned off", es[0].Data)
		}
	})
}

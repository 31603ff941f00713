package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// auditRows is the size of the log the upgrade and verify benchmarks use.
const auditRows = 20000

// fillAudit writes n unkeyed audit rows straight into the database, as an
// old log would hold them.
func fillAudit(b *testing.B, engine, dsn string, n int) {
	b.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	raw := openRawTB(b, engine, dsn)
	if _, err := raw.Exec(`INSERT INTO audit_log (at, action, target_type, target_id, data, source_ip)
		SELECT '2026-01-01T00:00:00.000000Z', 'service.update', 'service', '1', '{"tier":{"from":2,"to":1}}', '10.0.0.1'
		FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) SELECT i FROM n) AS s`, n); err != nil {
		b.Fatal(err)
	}
	if err := store.RechainAudit(context.Background(), db, nil); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAuditKeyUpgrade measures the one-off re-MAC of an unkeyed log
// at the first start with a key, per 20,000 entries.
func BenchmarkAuditKeyUpgrade(b *testing.B) {
	benchEngines(b, func(b *testing.B, engine string) {
		dsn := storetest.DSN(b, engine)
		fillAudit(b, engine, dsn, auditRows)
		raw := openRawTB(b, engine, dsn)
		for b.Loop() {
			b.StopTimer()
			if _, err := raw.Exec(`UPDATE audit_chain SET key_check = '' WHERE id = 1`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			db, err := store.Open(context.Background(), dsn, store.Options{AuditKey: auditKey})
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
}

// BenchmarkAuditVerify measures verify --checkpoint over 20,000 keyed
// entries.
func BenchmarkAuditVerify(b *testing.B) {
	benchEngines(b, func(b *testing.B, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(b, engine)
		fillAudit(b, engine, dsn, auditRows)
		db, err := store.Open(ctx, dsn, store.Options{AuditKey: auditKey})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		cp, err := db.CheckpointAudit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			v, err := db.VerifyAuditCheckpoints(ctx, []warroom.AuditCheckpoint{*cp})
			if err != nil || !v.OK {
				b.Fatalf("%+v, %v", v, err)
			}
		}
	})
}

func benchEngines(b *testing.B, f func(b *testing.B, engine string)) {
	for _, e := range storetest.Engines() {
		b.Run(e, func(b *testing.B) { f(b, e) })
	}
}

func openRawTB(tb testing.TB, engine, dsn string) *sql.DB {
	tb.Helper()
	driver := "sqlite"
	if engine == store.EnginePostgres {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

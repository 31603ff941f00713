package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/warroomhq/warroom"
)

// Words the search benchmark builds its bilingual corpus from.
var (
	benchSubjects = []string{"支付", "订单库", "数据库", "网关", "登录服务", "企业微信", "payments", "checkout", "database", "gateway", "search", "billing"}
	benchSymptoms = []string{"超时", "宕机", "数据丢失", "延迟升高", "误删除", "被拉黑", "timeout", "outage", "data loss", "latency spike", "certificate expired", "disk full"}
	benchNotes    = []string{"已回滚发布", "重启了实例", "扩容后恢复", "联系了供应商", "rolled back the release", "restarted the pods", "failed over to the replica", "paged the database team"}
)

// SeedSearchCorpus inserts n incidents, each with notesPer notes, built
// from a small bilingual vocabulary, in one transaction; the search
// triggers index them as they would any write.
func SeedSearchCorpus(ctx context.Context, db *DB, n, notesPer int) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	for i := 0; i < n; i++ {
		detected := tx.now.Add(-time.Duration(i) * time.Minute)
		sev := warroom.Severities[i%len(warroom.Severities)]
		title := fmt.Sprintf("%s %s #%d", pick(benchSubjects), pick(benchSymptoms), i)
		summary := fmt.Sprintf("%s 在高峰期 %s，影响 %d 位用户; %s %s", pick(benchSubjects), pick(benchSymptoms), rng.IntN(100000), pick(benchSubjects), pick(benchSymptoms))
		id, err := tx.insert(ctx, `INSERT INTO incidents (title, summary, type, state, severity, proposed_severity, severity_reason, detected_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)`, title, summary, string(warroom.IncidentTypes[i%len(warroom.IncidentTypes)]), string(warroom.StateResolved),
			string(sev), string(sev), detected, tx.now, tx.now)
		if err != nil {
			return err
		}
		for j := 0; j < notesPer; j++ {
			if _, err := tx.exec(ctx, `INSERT INTO events (incident_id, kind, at, text, visibility) VALUES (?, ?, ?, ?, ?)`,
				id, string(warroom.EventNote), detected.Add(time.Duration(j+1)*time.Minute), pick(benchNotes)+" "+pick(benchSymptoms), "internal"); err != nil {
				return err
			}
		}
	}
	return tx.commit()
}

package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// corpusCase is a short retelling, in our own words, of a case from the
// seed articles: its incident, a note and, for some, a postmortem summary.
type corpusCase struct {
	title, summary, note string
	typ                  warroom.IncidentType
	service              string
	cause                warroom.CauseCategory
	lessons              string
}

var corpus = []corpusCase{
	{"酒店管理系统升级后前台无法办理入住", "首次升级不稳定，客人在前台等待，约五个订单流失", "已回退到旧版本，入住恢复", warroom.TypeSystemCrash, "hotel-pms", warroom.CauseTechnical, "升级前准备回退方案"},
	{"CRM 客户名单无法下发", "发布把原渠道替换成了新渠道，第二天名单匹配不上，上午没有贷款业绩", "恢复原渠道配置后名单开始下发", warroom.TypeOther, "crm", warroom.CauseManagement, "需求评审要确认新旧渠道并存"},
	{"账户余额被篡改并通过免审白名单提现", "内部人员直接修改数据库余额并把自己加进提现白名单，损失约三百万", "冻结相关账户并报警", warroom.TypeSecurityBreach, "payments", warroom.CauseHuman, "权限最小化，白名单变更需要双人审批"},
	{"两万多张 ETC 卡被误拉黑", "一个未经测试的私自修复上线后触发了拉黑逻辑，货车堵在收费站", "回滚代码并批量解除拉黑", warroom.TypeSystemCrash, "etc-billing", warroom.CauseManagement, "每次发布都要测试报告和回滚方案"},
	{"统计报表拖垮订单库，两小时无法下单", "新报表直接查询生产订单表，数据量上亿，测试环境只有几万条", "下线报表任务，订单恢复", warroom.TypeSystemCrash, "orders", warroom.CauseTechnical, "报表走只读副本"},
	{"员工同步服务误判两千人离职", "一次性迁移代码留在生产环境，企业微信执行了离职操作", "从腾讯恢复企业微信数据", warroom.TypeDataLoss, "hr-sync", warroom.CauseTechnical, "一次性代码用完即删"},
	{"SaaS 服务宕机，生产环境与备份被删除", "运维人员通过跳板机恶意删除生产数据和备份，商户小程序全部停摆", "从异地冷备份逐步恢复数据", warroom.TypeDataLoss, "saas", warroom.CauseHuman, "生产删除操作需要双人授权"},
	{"User data deleted by mistake; nightly backup had stopped", "An operator removed production user rows; the automatic backup job had silently failed a month earlier", "Restored from binlog; backup job monitored by a heartbeat now", warroom.TypeDataLoss, "accounts", warroom.CauseManagement, "Alert when a backup stops reporting"},
	{"Disk failure crashed the billing database", "A failed hard disk took the primary down; failover was manual", "Promoted the replica and replaced the disk", warroom.TypeSystemCrash, "billing", warroom.CauseTechnical, "Automate failover"},
	{"Payment gateway timeouts after release", "Card payments timed out after the 4.2 release changed the connection pool", "Rolled back the release", warroom.TypeNetworkFailure, "payments", warroom.CauseTechnical, "Canary releases for payments"},
}

// seedCorpus declares every case, adds its note and, when it has lessons,
// a postmortem. It returns the incidents by corpus index.
func seedCorpus(t *testing.T, e *env) []*warroom.Incident {
	t.Helper()
	services := map[string]int64{}
	incs := make([]*warroom.Incident, len(corpus))
	for i, c := range corpus {
		if services[c.service] == 0 {
			services[c.service] = e.service(t, c.service).ID
		}
		e.clock.Add(1e9)
		inc := e.declare(t, &warroom.Incident{Title: c.title, Summary: c.summary, Type: c.typ, ServiceIDs: []int64{services[c.service]}})
		if _, err := e.db.AddNote(e.ctx, inc.ID, warroom.NoteInput{Text: c.note}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateResolved, c.note); err != nil {
			t.Fatal(err)
		}
		p, err := e.db.CreatePostmortem(e.ctx, inc.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		cause, lessons := c.cause, c.lessons
		if _, err := e.db.UpdatePostmortem(e.ctx, p.ID, warroom.PostmortemUpdate{CauseCategory: &cause, Lessons: &lessons}); err != nil {
			t.Fatal(err)
		}
		incs[i] = inc
	}
	return incs
}

// TestSearch runs the same bilingual queries on each engine against the
// same expectation, which is what makes the engines' results identical.
func TestSearch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		incs := seedCorpus(t, e)
		num := func(i int) string { return incs[i].Number }
		for _, tc := range []struct {
			name string
			q    warroom.SearchQuery
			// want lists "INC-n:doc_type" in rank order. A postmortem carries
			// its incident's title and is newer, so it ranks first.
			want []string
		}{
			{"ChineseTwoCharacters", warroom.SearchQuery{Text: "拉黑"}, []string{num(3) + ":postmortem", num(3) + ":incident", num(3) + ":note"}},
			{"ChineseThreeCharacters", warroom.SearchQuery{Text: "订单表"}, []string{num(4) + ":incident"}},
			{"ChineseTwoTerms", warroom.SearchQuery{Text: "企业微信 离职"}, []string{num(5) + ":incident"}},
			{"ChineseBackup", warroom.SearchQuery{Text: "备份", DocTypes: []warroom.SearchDocType{warroom.DocIncident}}, []string{num(6) + ":incident"}},
			{"EnglishCaseInsensitive", warroom.SearchQuery{Text: "BACKUP stopped"}, []string{num(7) + ":postmortem", num(7) + ":incident"}},
			{"EnglishTitleRanksFirst", warroom.SearchQuery{Text: "release"}, []string{num(9) + ":postmortem", num(9) + ":incident", num(9) + ":note"}},
			{"Postmortem", warroom.SearchQuery{Text: "双人"}, []string{num(6) + ":postmortem", num(2) + ":postmortem"}},
			{"FilterType", warroom.SearchQuery{Text: "删除", Type: ptr(warroom.TypeDataLoss), DocTypes: []warroom.SearchDocType{warroom.DocIncident}}, []string{num(6) + ":incident"}},
			{"FilterCause", warroom.SearchQuery{Text: "数据", CauseCategory: ptr(warroom.CauseHuman), DocTypes: []warroom.SearchDocType{warroom.DocIncident}}, []string{num(6) + ":incident", num(2) + ":incident"}},
			{"NoMatch", warroom.SearchQuery{Text: "kubernetes"}, nil},
			{"LikeIsLiteral", warroom.SearchQuery{Text: "订_表"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				hits, n, err := e.db.Search(e.ctx, tc.q)
				if err != nil {
					t.Fatalf("Search: %v", err)
				}
				var got []string
				for _, h := range hits {
					got = append(got, fmt.Sprintf("%s:%s", h.IncidentNumber, h.DocType))
				}
				if strings.Join(got, " ") != strings.Join(tc.want, " ") || n != len(tc.want) {
					t.Errorf("hits = %v (total %d), want %v", got, n, tc.want)
				}
			})
		}
		t.Run("FilterService", func(t *testing.T) {
			s, err := e.db.FindServiceByName(e.ctx, "payments")
			if err != nil {
				t.Fatal(err)
			}
			hits, _, err := e.db.Search(e.ctx, warroom.SearchQuery{Text: "payment", ServiceID: &s.ID})
			if err != nil || len(hits) == 0 || hits[0].IncidentID != incs[9].ID {
				t.Errorf("hits = %+v (%v)", hits, err)
			}
		})
		t.Run("Invalid", func(t *testing.T) {
			_, _, err := e.db.Search(e.ctx, warroom.SearchQuery{Text: "  "})
			wantField(t, err, "q")
		})
		t.Run("Similar", func(t *testing.T) {
			// A new ETC outage finds the old one, with what fixed it.
			svc, _ := e.db.FindServiceByName(e.ctx, "etc-billing")
			inc := e.declare(t, &warroom.Incident{Title: "又有大量 ETC 卡被误拉黑", Summary: "发布后出现拉黑", ServiceIDs: []int64{svc.ID}})
			sim, err := e.db.FindSimilarIncidents(e.ctx, inc.ID, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(sim) == 0 || sim[0].Incident.ID != incs[3].ID || sim[0].Resolution != corpus[3].note || sim[0].Lessons != corpus[3].lessons {
				t.Fatalf("similar = %+v", sim)
			}
		})
	})
}

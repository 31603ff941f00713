package warroom

// BuiltInDrillScenarios are the game days shipped with warroom, each in
// English and in Chinese, modelled on incidents that happened: production
// and its backups deleted, a release that dropped a lead channel, a report
// query that locked the orders table, and customer data leaked.
func BuiltInDrillScenarios() []*DrillScenario {
	roles := []string{RoleCommander, RoleCommunications, RoleScribe}
	out := []*DrillScenario{
		{
			Slug: "database-deleted", Name: "Production database deleted, backups stale", Language: "en", Severity: P0, Type: TypeDataLoss,
			Description: "Someone with production access deletes the primary and replica databases. The newest backup turns out to be days old. " +
				"Rehearse declaring, assembling the roles, telling customers without promising a time you cannot keep, and restoring from what is left.",
			ExpectedRoles: roles,
			SOP: []string{"Confirm the scope of the deletion", "Freeze all changes and revoke the access used",
				"Find the newest usable backup and its age", "Post the first public update", "Restore and verify data integrity"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertCritical, Summary: "orders-db primary: connection refused"},
				{OffsetSeconds: 60, Kind: DrillStepHeartbeat, Severity: AlertCritical, Summary: "Nightly backup job heartbeat stopped"},
				{OffsetSeconds: 120, Kind: DrillStepChange, Summary: "Shell session on the jump host ran a recursive delete on the database volumes"},
				{OffsetSeconds: 300, Kind: DrillStepNote, Summary: "The newest complete backup is 5 days old; the replica was deleted too"},
			},
		},
		{
			Slug: "database-deleted-zh", Name: "生产数据库被删除，备份过期", Language: "zh-CN", Severity: P0, Type: TypeDataLoss,
			Description:   "有生产权限的人删除了主库和备库，最新的备份已是几天前的。演练定级、集结角色、在不承诺无法兑现的时间的前提下通知客户，并用剩下的数据恢复。",
			ExpectedRoles: roles,
			SOP:           []string{"确认删除的范围", "冻结所有变更并吊销所用的权限", "找到最新可用的备份及其时间", "发布第一条对外公告", "恢复并校验数据完整性"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertCritical, Summary: "订单库主库：连接被拒绝"},
				{OffsetSeconds: 60, Kind: DrillStepHeartbeat, Severity: AlertCritical, Summary: "夜间备份任务心跳停止"},
				{OffsetSeconds: 120, Kind: DrillStepChange, Summary: "跳板机上的会话对数据库卷执行了递归删除"},
				{OffsetSeconds: 300, Kind: DrillStepNote, Summary: "最新的完整备份是 5 天前的；备库也被删除了"},
			},
		},
		{
			Slug: "channel-removed", Name: "A release removed a lead channel; leads stop", Language: "en", Severity: P1, Type: TypeOther,
			Description: "Last night's release replaced an old sales channel instead of adding a new one. Acceptance checked only the new channel. " +
				"This morning no customer leads reach the CRM.",
			ExpectedRoles: []string{RoleCommander, RoleCommunications},
			SOP:           []string{"Link the release as a suspected cause", "Decide: roll back or hot-fix the channel rule", "Replay the leads that were not delivered"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertError, Summary: "Leads delivered to CRM: zero in the last 30 minutes"},
				{OffsetSeconds: 120, Kind: DrillStepChange, Summary: "Release 2026.11.3: new channel 'partner-b' went live, 'partner' removed"},
				{OffsetSeconds: 600, Kind: DrillStepNote, Summary: "Sales reports 300 leads from 'partner' since 08:00 are missing"},
			},
		},
		{
			Slug: "channel-removed-zh", Name: "发版删掉了一个渠道，线索停止下发", Language: "zh-CN", Severity: P1, Type: TypeOther,
			Description:   "昨晚的发版把原渠道替换掉了，而不是新增一个渠道；验收只验证了新渠道。今天早上没有客户线索进入 CRM。",
			ExpectedRoles: []string{RoleCommander, RoleCommunications},
			SOP:           []string{"把这次发版关联为疑似原因", "决定：回滚还是紧急修复渠道规则", "补发未下发的线索"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertError, Summary: "下发到 CRM 的线索：最近 30 分钟为零"},
				{OffsetSeconds: 120, Kind: DrillStepChange, Summary: "版本 2026.11.3：新渠道上线，原渠道被删除"},
				{OffsetSeconds: 600, Kind: DrillStepNote, Summary: "销售反馈 08:00 以来原渠道的 300 条线索缺失"},
			},
		},
		{
			Slug: "orders-table-locked", Name: "A report query locks the orders table", Language: "en", Severity: P1, Type: TypeSystemCrash,
			Description:   "A monthly report runs an unindexed query on the production orders table during business hours. Checkout hangs, then times out.",
			ExpectedRoles: []string{RoleCommander, RoleScribe},
			SOP:           []string{"Find the blocking session", "Kill the report query", "Move reporting to a replica"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertCritical, Summary: "Checkout p99 latency above 30 s"},
				{OffsetSeconds: 90, Kind: DrillStepAlert, Severity: AlertWarning, Summary: "orders table: 412 sessions waiting on a lock"},
				{OffsetSeconds: 240, Kind: DrillStepChange, Summary: "Monthly sales report scheduled on the primary database"},
			},
		},
		{
			Slug: "orders-table-locked-zh", Name: "报表查询锁住了订单表", Language: "zh-CN", Severity: P1, Type: TypeSystemCrash,
			Description:   "月度报表在业务高峰期对生产订单表执行了没有索引的查询，下单卡住，随后超时。",
			ExpectedRoles: []string{RoleCommander, RoleScribe},
			SOP:           []string{"找到阻塞的会话", "终止报表查询", "把报表迁到只读库"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertCritical, Summary: "下单 p99 延迟超过 30 秒"},
				{OffsetSeconds: 90, Kind: DrillStepAlert, Severity: AlertWarning, Summary: "订单表：412 个会话在等锁"},
				{OffsetSeconds: 240, Kind: DrillStepChange, Summary: "月度销售报表被安排在主库上运行"},
			},
		},
		{
			Slug: "data-leak", Name: "Customer data leaked", Language: "en", Severity: P0, Type: TypeSecurityBreach,
			Description: "A partner reports customer phone numbers for sale online. An export bucket was public. Rehearse containment, evidence, " +
				"the regulator's clock and what customers are told.",
			ExpectedRoles: roles,
			SOP: []string{"Close the exposure and keep the evidence", "Work out which records and customers are affected",
				"Tell legal and compliance", "Post the first public update"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertCritical, Summary: "Unusual volume of reads from the customer export bucket"},
				{OffsetSeconds: 180, Kind: DrillStepNote, Summary: "A partner sends a link: customer phone numbers offered for sale"},
				{OffsetSeconds: 300, Kind: DrillStepChange, Summary: "Bucket policy changed to public read three weeks ago"},
			},
		},
		{
			Slug: "data-leak-zh", Name: "客户数据泄露", Language: "zh-CN", Severity: P0, Type: TypeSecurityBreach,
			Description:   "合作方反馈网上有人在售卖我们客户的手机号，导出桶被设成了公开。演练止损、保全证据、监管时限以及对客户的说明。",
			ExpectedRoles: roles,
			SOP:           []string{"关闭暴露面并保全证据", "查清受影响的记录和客户", "通知法务与合规", "发布第一条对外公告"},
			Steps: []DrillStep{
				{OffsetSeconds: 0, Kind: DrillStepAlert, Severity: AlertCritical, Summary: "客户导出桶的读取量异常"},
				{OffsetSeconds: 180, Kind: DrillStepNote, Summary: "合作方发来链接：客户手机号正在被售卖"},
				{OffsetSeconds: 300, Kind: DrillStepChange, Summary: "三周前桶策略被改为公开读"},
			},
		},
	}
	for _, s := range out {
		s.BuiltIn = true
	}
	return out
}

// BuiltInDrillScenario returns the built-in scenario of slug, or nil.
func BuiltInDrillScenario(slug string) *DrillScenario {
	for _, s := range BuiltInDrillScenarios() {
		if s.Slug == slug {
			return s
		}
	}
	return nil
}

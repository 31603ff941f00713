package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestOnCallPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		admin, ctx := e.user(t, warroom.UserRoleAdmin, "zh-CN")
		ana, _ := e.user(t, warroom.UserRoleResponder, "en")
		s := &warroom.Schedule{Name: "支付值班", TimeZone: "Asia/Shanghai", Layers: []warroom.ScheduleLayer{{Name: "weekly", Rotation: warroom.RotationWeekly,
			Start: time.Now().Add(-time.Hour).In(time.UTC).Format(warroom.StartLayout), UserIDs: []int64{ana.ID}}}}
		s.TimeZone = "UTC"
		if err := e.db.CreateSchedule(ctx, s); err != nil {
			t.Fatal(err)
		}
		c := e.client(t)
		c.login(admin.Email)

		t.Run("on call now, in Chinese", func(t *testing.T) {
			res, body := c.get("/oncall")
			wantStatus(t, res, body, http.StatusOK)
			for _, want := range []string{"当前值班", "支付值班", ana.Name, "新建升级策略"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
		t.Run("policy editor", func(t *testing.T) {
			policy := fmt.Sprintf(`{"name":"payments","levels":[{"delay_seconds":300,"targets":[{"type":"schedule","id":%d}]}]}`, s.ID)
			res, body := c.post("/oncall/policies", url.Values{"policy": {policy}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.post("/oncall/policies", url.Values{"policy": {`{"name":"x","levelz":[]}`}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
			_, body = c.get("/oncall")
			if !strings.Contains(body, "payments") {
				t.Error("the new policy is not listed")
			}
		})
		t.Run("calendar with an override and a swap", func(t *testing.T) {
			path := fmt.Sprintf("/oncall/schedules/%d", s.ID)
			c.get(path)
			start := time.Now().In(time.FixedZone("CST", 8*3600)).Add(time.Hour).Format("2006-01-02T15:04")
			end := time.Now().In(time.FixedZone("CST", 8*3600)).Add(3 * time.Hour).Format("2006-01-02T15:04")
			res, body := c.post(path+"/overrides", url.Values{"user_id": {fmt.Sprint(admin.ID)}, "replaces_user_id": {"0"}, "start": {start}, "end": {end}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.post(path+"/swaps", url.Values{"to_user_id": {fmt.Sprint(ana.ID)}, "start": {start}, "end": {end}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.get(path)
			wantStatus(t, res, body, http.StatusOK)
			for _, want := range []string{"临时替班", "换班", "等待答复", admin.Name} {
				if !strings.Contains(body, want) {
					t.Errorf("calendar lacks %q", want)
				}
			}
			res, body = c.post(path+"/overrides", url.Values{"user_id": {fmt.Sprint(admin.ID)}, "start": {end}, "end": {start}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
		})
		t.Run("my contact methods", func(t *testing.T) {
			c.get("/contact")
			res, body := c.post("/contact", url.Values{"type": {"dingtalk"}, "name": {"值班群"}, "address": {"https://oapi.dingtalk.com/robot/send?access_token=x"}, "secret": {"SEC1"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.get("/contact?notice=code_sent")
			wantStatus(t, res, body, http.StatusOK)
			for _, want := range []string{"值班群", "钉钉", "未验证", "验证码已发送"} {
				if !strings.Contains(body, want) {
					t.Errorf("contact page lacks %q", want)
				}
			}
			if strings.Contains(body, "SEC1") {
				t.Error("the page shows the signing secret")
			}
			res, body = c.post("/contact", url.Values{"type": {"slack"}, "name": {"x"}, "address": {"not a url"}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
		})
	})
}

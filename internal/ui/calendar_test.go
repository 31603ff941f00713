package ui_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestCalendarPages: the year view marks China's holidays and make-up
// workdays in both languages; an admin imports a file; a responder sees
// the year but changes nothing.
func TestCalendarPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		admin, _ := e.user(t, warroom.UserRoleAdmin, "zh-CN")
		ana, _ := e.user(t, warroom.UserRoleResponder, "en")
		c := e.client(t)
		c.login(admin.Email)
		res, body := c.post("/calendars", url.Values{"name": {"中国"}, "region": {"CN"}})
		wantStatus(t, res, body, http.StatusSeeOther)
		path := res.Header.Get("Location")

		t.Run("YearInChinese", func(t *testing.T) {
			res, body := c.get(path + "?year=2026")
			wantStatus(t, res, body, http.StatusOK)
			for _, want := range []string{"中国 · 2026", "二月", `class="cal-day holiday nonworking" title="春节" data-date="2026-02-17"`,
				`class="cal-day workday weekend" title="春节 补班" data-date="2026-02-14"`, "调休上班", "国庆节: 2026-10-01 – 2026-10-07"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(body, `data-date="2026-02-15">15</td>`) {
				t.Error("Spring Festival Sunday is not marked")
			}
		})
		t.Run("Import", func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("csrf_token", c.csrf)
			_ = mw.WriteField("year", "2028")
			fw, _ := mw.CreateFormFile("file", "cn-2028.json")
			fmt.Fprint(fw, `[{"date":"2028-01-01","kind":"holiday","name":"New Year's Day","local_name":"元旦"}]`)
			mw.Close()
			req, _ := http.NewRequest("POST", c.base+path+"/import", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			res, body := c.do(req)
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.get(path + "?year=2028")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, `data-date="2028-01-01"`) || !strings.Contains(body, "元旦") {
				t.Error("the imported day is not shown")
			}
			res, body = c.post(path+"/days", url.Values{"date": {"2028-02-30"}, "kind": {"off"}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
		})
		t.Run("ResponderReadsOnly", func(t *testing.T) {
			rc := e.client(t)
			rc.login(ana.Email)
			res, body := rc.get(path + "?year=2026")
			wantStatus(t, res, body, http.StatusOK)
			for _, want := range []string{"February", "Make-up workday", "National Day: 2026-10-01 – 2026-10-07"} {
				if !strings.Contains(body, want) {
					t.Errorf("English page lacks %q", want)
				}
			}
			if strings.Contains(body, `action="`+path+`/import"`) {
				t.Error("a responder is offered the import form")
			}
			for _, p := range []string{"/calendars", path + "/days", path + "/freezes", path + "/delete"} {
				res, body := rc.post(p, url.Values{"name": {"x"}, "date": {"2026-12-24"}, "kind": {"off"}, "year": {"2026"}, "working_days_before": {"2"}})
				wantStatus(t, res, body, http.StatusForbidden)
			}
			cs, _ := e.db.FindCalendars(t.Context())
			if len(cs) != 1 || len(cs[0].Days) != 1 {
				t.Errorf("calendars after refusals: %d, days %+v", len(cs), cs[0].Days)
			}
		})
		t.Run("Freezes", func(t *testing.T) {
			res, body := c.post(path+"/freezes", url.Values{"year": {"2027"}, "working_days_before": {"2"}, "through_holiday": {"1"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			fs, err := e.db.FindFreezeWindows(t.Context(), warroom.FreezeFilter{})
			if err != nil || len(fs) != 7 {
				t.Errorf("freezes = %d, %v", len(fs), err)
			}
		})
	})
}

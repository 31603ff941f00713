package app_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/cmd/warroom/app"
)

func TestPhoneConfig(t *testing.T) {
	const sid = "AC0123456789abcdef0123456789abcdef"
	env := map[string]string{"WARROOM_TWILIO_AUTH_TOKEN": "tok", "WARROOM_ALIYUN_ACCESS_KEY_SECRET": "sec"}
	parse := func(args ...string) (*app.Main, error) {
		m := app.NewMain()
		m.Getenv = func(k string) string { return env[k] }
		return m, m.ParseFlags(context.Background(), args)
	}
	twilio := []string{"--twilio-account-sid", sid, "--twilio-from", "+14155550100"}
	ali := []string{"--aliyun-access-key-id", "LTAI5t", "--aliyun-sms-sign-name", "warroom", "--aliyun-sms-templates", "page=SMS_1, code=SMS_2"}
	t.Run("Order", func(t *testing.T) {
		m, err := parse(append(twilio, ali...)...)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := m.Config.Providers(); !reflect.DeepEqual(got, []string{"twilio", "aliyun"}) {
			t.Errorf("default order %v", got)
		}
		m, err = parse(append(append(twilio, ali...), "--phone-providers", "aliyun,twilio")...)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := m.Config.Providers(); !reflect.DeepEqual(got, []string{"aliyun", "twilio"}) {
			t.Errorf("order %v", got)
		}
		ac, err := m.Config.Aliyun()
		if err != nil || ac.SMS.Page != "SMS_1" || ac.SMS.Code != "SMS_2" || ac.AccessKeySecret != "sec" {
			t.Errorf("aliyun %+v, %v", ac, err)
		}
	})
	for name, tc := range map[string]struct {
		args []string
		flag string
	}{
		"bad SID":              {[]string{"--twilio-account-sid", "nope", "--twilio-from", "+1"}, "--twilio-account-sid"},
		"no from":              {[]string{"--twilio-account-sid", sid}, "--twilio-account-sid"},
		"bad templates":        {append(ali[:4:4], "--aliyun-sms-templates", "page=SMS_1"), "--aliyun-sms-templates"},
		"unknown template":     {append(ali[:4:4], "--aliyun-sms-templates", "page=1,code=2,x=3"), "--aliyun-sms-templates"},
		"unconfigured order":   {append(twilio, "--phone-providers", "aliyun"), "--phone-providers"},
		"unknown provider":     {append(twilio, "--phone-providers", "twilio,nexmo"), "--phone-providers"},
		"key but no templates": {[]string{"--aliyun-access-key-id", "LTAI5t"}, "--aliyun-access-key-id"},
	} {
		if _, err := parse(tc.args...); err == nil || !strings.HasPrefix(err.Error(), tc.flag) {
			t.Errorf("%s: got %v, want an error naming %s", name, err, tc.flag)
		}
	}
}

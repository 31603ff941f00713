package server_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
)

type decodeTarget struct {
	Title      string          `json:"title"`
	Count      int64           `json:"count"`
	Impact     warroom.Impact  `json:"impact"`
	Money      []warroom.Money `json:"money"`
	DetectedAt *time.Time      `json:"detected_at"`
}

func TestDecodeJSON(t *testing.T) {
	for _, tt := range []struct {
		name      string
		body      string
		limit     int64
		wantCode  string
		wantField string
		wantMsg   string
	}{
		{name: "OK", body: `{"title":"x","count":3,"impact":{"money_affected":{"amount":"12.5","currency":"CNY"}}}`},
		{name: "TrailingWhitespace", body: "{\"title\":\"x\"}\n\t "},
		{name: "Empty", body: "", wantCode: warroom.EMALFORMED, wantMsg: "empty"},
		{name: "Blank", body: "  \n", wantCode: warroom.EMALFORMED, wantMsg: "empty"},
		{name: "Syntax", body: `{"title":}`, wantCode: warroom.EMALFORMED, wantMsg: "malformed JSON at byte"},
		{name: "Truncated", body: `{"title":"x"`, wantCode: warroom.EMALFORMED, wantMsg: "ends before"},
		{name: "Trailing", body: `{"title":"x"} {}`, wantCode: warroom.EMALFORMED, wantMsg: "after the JSON value"},
		{name: "UnknownField", body: `{"titel":"x"}`, wantCode: warroom.EMALFORMED, wantField: "titel", wantMsg: "unknown field"},
		{name: "NestedUnknownField", body: `{"impact":{"users":1}}`, wantCode: warroom.EMALFORMED, wantField: "impact.users", wantMsg: "impact.users: unknown field"},
		{name: "NotUTF8", body: `{"money":[{},{"currency":"` + "\xff" + `"}]}`, wantCode: warroom.EMALFORMED, wantField: "money[1].currency", wantMsg: "money[1].currency: is not valid UTF-8"},
		{name: "LoneSurrogate", body: `{"title":"\ud800"}`, wantCode: warroom.EMALFORMED, wantField: "title", wantMsg: "lone UTF-16 surrogate"},
		{name: "NUL", body: `{"impact":{"x\u0000":1}}`, wantCode: warroom.EMALFORMED, wantField: "impact", wantMsg: "member name with NUL"},
		{name: "NULValue", body: `{"title":"a\u0000"}`, wantCode: warroom.EMALFORMED, wantField: "title", wantMsg: "title: must not contain NUL"},
		{name: "EscapedText", body: `{"title":"\u00e9\ud83d\ude00\\u0000"}`},
		{name: "WrongType", body: `{"count":"three"}`, wantCode: warroom.EMALFORMED, wantField: "count", wantMsg: "count: must be an integer, got a string"},
		{name: "NestedWrongType", body: `{"impact":{"users_affected":true}}`, wantCode: warroom.EMALFORMED, wantField: "impact.users_affected", wantMsg: "must be an integer, got true or false"},
		{name: "Fraction", body: `{"count":1.5}`, wantCode: warroom.EMALFORMED, wantField: "count", wantMsg: "got 1.5"},
		{name: "TopLevelType", body: `[1]`, wantCode: warroom.EMALFORMED, wantMsg: "must be an object, got an array"},
		{name: "BadAmount", body: `{"impact":{"money_affected":{"amount":"1.234","currency":"CNY"}}}`, wantCode: warroom.EMALFORMED, wantField: "impact.money_affected.amount", wantMsg: "two decimals"},
		{name: "BadAmountInArray", body: `{"money":[{"amount":1},{"amount":"x"}]}`, wantCode: warroom.EMALFORMED, wantField: "money[1].amount"},
		{name: "BadTime", body: `{"detected_at":"yesterday"}`, wantCode: warroom.EMALFORMED, wantField: "detected_at", wantMsg: "RFC 3339"},
		{name: "TooLarge", body: `{"title":"` + strings.Repeat("a", 200) + `"}`, limit: 100, wantCode: warroom.ETOOLARGE},
	} {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 20
			}
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			var v decodeTarget
			err := server.DecodeJSON(httptest.NewRecorder(), r, &v, limit)
			if got := warroom.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if got := warroom.ErrorField(err); got != tt.wantField {
				t.Errorf("field = %q, want %q", got, tt.wantField)
			}
			if got := warroom.ErrorMessage(err); !strings.Contains(got, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", got, tt.wantMsg)
			}
		})
	}
}

func TestDecodeJSON_Values(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"title":"db down","impact":{"money_affected":{"amount":"1234.5","currency":"CNY"}},"detected_at":"2024-05-01T10:00:00Z"}`))
	var v decodeTarget
	if err := server.DecodeJSON(httptest.NewRecorder(), r, &v, 1<<20); err != nil {
		t.Fatal(err)
	}
	if got, want := v.Impact.MoneyAffected.Amount, warroom.Amount(123450); got != want {
		t.Errorf("amount = %d, want %d", got, want)
	}
	if v.DetectedAt == nil || !v.DetectedAt.Equal(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("detected_at = %v", v.DetectedAt)
	}
}

package warroom_test

import (
	"encoding/json"
	"testing"

	"github.com/warroomhq/warroom"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want warroom.Amount
		ok   bool
	}{
		{"0", 0, true},
		{"5000", 500000, true},
		{"20000000", 2000000000, true},
		{"1234.5", 123450, true},
		{"0.05", 5, true},
		{"-3.10", -310, true},
		{"1.234", 0, false},
		{"1.", 0, false},
		{".5", 0, false},
		{"1e5", 0, false},
		{"+5", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"12a", 0, false},
		{"1 000", 0, false},
		{"99999999999999999999", 0, false},
		{"1000000000000001", 0, false},
		{"1000000000000000", 100000000000000000, true},
	}
	for _, tt := range tests {
		got, err := warroom.ParseAmount(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, ok=%t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestAmount_String(t *testing.T) {
	for a, want := range map[warroom.Amount]string{0: "0", 500000: "5000", 123450: "1234.50", 5: "0.05", -310: "-3.10"} {
		if got := a.String(); got != want {
			t.Errorf("Amount(%d).String() = %q, want %q", a, got, want)
		}
	}
}

func TestMoney_JSON(t *testing.T) {
	var m warroom.Money
	if err := json.Unmarshal([]byte(`{"amount": 1234.56, "currency": "CNY"}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.Amount != 123456 || m.Currency != "CNY" {
		t.Fatalf("got %+v", m)
	}
	b, _ := json.Marshal(m)
	if got, want := string(b), `{"amount":1234.56,"currency":"CNY"}`; got != want {
		t.Fatalf("marshal: got %s, want %s", got, want)
	}
	if err := json.Unmarshal([]byte(`{"amount": "20000000"}`), &m); err != nil || m.Amount != 2000000000 {
		t.Fatalf("string amount: %v %+v", err, m)
	}
	for _, bad := range []string{`{"amount": 1.999}`, `{"amount": true}`, `{"amount": 1e3}`} {
		if err := json.Unmarshal([]byte(bad), &m); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestMoney_Validate(t *testing.T) {
	tests := []struct {
		m     warroom.Money
		field string
	}{
		{warroom.Money{}, ""},
		{warroom.Money{Amount: 100, Currency: "CNY"}, ""},
		{warroom.Money{Amount: -1, Currency: "CNY"}, "loss.amount"},
		{warroom.Money{Amount: 100}, "loss.currency"},
		{warroom.Money{Amount: 100, Currency: "cny"}, "loss.currency"},
		{warroom.Money{Amount: 100, Currency: "YUAN"}, "loss.currency"},
	}
	for _, tt := range tests {
		if got := warroom.ErrorField(tt.m.Validate("loss")); got != tt.field {
			t.Errorf("Validate(%+v): field %q, want %q", tt.m, got, tt.field)
		}
	}
}

// FuzzParseAmount checks that any input either fails cleanly or round-trips.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "1234.5", "-3.10", "1e5", "99999999999999999999", ".", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := warroom.ParseAmount(s)
		if err != nil {
			return
		}
		back, err := warroom.ParseAmount(a.String())
		if err != nil || back != a {
			t.Fatalf("%q parsed to %d, which formats as %q and parses back to %d, %v", s, a, a.String(), back, err)
		}
	})
}

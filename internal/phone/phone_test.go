package phone_test

import (
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/phone"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+8613812345678", "+8613812345678"},
		{"+86 138-1234-5678", "+8613812345678"},
		{" +1 (415) 555-2671 ", "+14155552671"},
		{"+44 20 7946 0958", "+442079460958"},
		{"+49 30 901820", "+4930901820"},
	} {
		got, err := phone.Normalize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "13812345678", "+86 123", "+999 1234567", "+1 415 555 26711", "+86abc", "tel:+8613812345678", "+" + string(make([]byte, 40))} {
		if got, err := phone.Normalize(in); err == nil || warroom.ErrorField(err) != "address" {
			t.Errorf("Normalize(%q) = %q, %v; want an address error", in, got, err)
		}
	}
}

func TestDisplayRegion(t *testing.T) {
	if got := phone.Display("+8613812345678"); got != "+86 138 1234 5678" {
		t.Errorf("Display = %q", got)
	}
	if got := phone.Region("+8613812345678"); got != "CN" {
		t.Errorf("Region = %q, want CN", got)
	}
	if got := phone.Region("+14155552671"); got != "US" {
		t.Errorf("Region = %q, want US", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+8613812345678", "+1 (415) 555-2671", "+", "++1", "+0", "+86 ١٣٨"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := phone.Normalize(s)
		if err != nil {
			return
		}
		again, err := phone.Normalize(got)
		if err != nil || again != got {
			t.Errorf("Normalize(%q) = %q, which normalises to %q, %v", s, got, again, err)
		}
	})
}

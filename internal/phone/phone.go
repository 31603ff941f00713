// Package phone checks and formats the telephone numbers people give for
// SMS and voice contact methods. It uses github.com/nyaruka/phonenumbers,
// a maintained Go port of Google's libphonenumber: whether a number can be
// assigned at all depends on per-country numbering plans that change every
// few months, which no hand-written pattern keeps up with.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/warroomhq/warroom"
)

// Normalize returns s in E.164 (+ and up to 15 digits) when it is a valid,
// assignable number. s must carry its country code: warroom's users are in
// many countries and a number without one would be dialled in the wrong
// one. Spaces, dashes, dots and brackets are allowed and dropped.
func Normalize(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "+") {
		return "", warroom.FieldErrorf("address", "must be a phone number with its country code, such as +8613812345678 or +14155550100")
	}
	if len(s) > 32 {
		return "", warroom.FieldErrorf("address", "is too long for a phone number")
	}
	n, err := phonenumbers.Parse(s, "ZZ")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", warroom.FieldErrorf("address", "%q is not a valid phone number", s)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Display returns an E.164 number in its country's international format
// ("+86 138 1234 5678"), for showing it; a number that does not parse is
// returned as it is.
func Display(e164 string) string {
	n, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// Region returns the ISO 3166 region of an E.164 number ("CN", "US"), or
// "" when it has none; providers that serve only mainland China use it.
func Region(e164 string) string {
	n, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(n)
}

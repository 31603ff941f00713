package warroom

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a sum of money in hundredths of the currency unit. Losses are
// reported in whole currency units but compensation is paid to the cent, and
// floating point would make totals drift.
type Amount int64

// MaxAmount bounds amounts so that sums over many incidents cannot overflow.
const MaxAmount Amount = 1e15 * 100

// ParseAmount reads a decimal such as "20000000", "1234.5" or "0.05".
// More than two decimals, exponents and signs other than a leading minus are
// refused.
func ParseAmount(s string) (Amount, error) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > 2 || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%q is not a decimal amount with at most two decimals", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > int64(MaxAmount/100) {
		return 0, fmt.Errorf("%q is too large", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	a := Amount(w*100 + f)
	if neg {
		a = -a
	}
	return a, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String formats the amount with two decimals only when it has cents.
func (a Amount) String() string {
	sign := ""
	u := int64(a)
	if u < 0 {
		sign, u = "-", -u
	}
	if u%100 == 0 {
		return sign + strconv.FormatInt(u/100, 10)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Float returns the amount in currency units, for charts and sums only.
func (a Amount) Float() float64 { return float64(a) / 100 }

// MarshalJSON writes the amount as a JSON number in currency units.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON accepts a JSON number (or a string holding one) in currency
// units with at most two decimals.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*a = 0
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		s = s[1 : len(b)-1]
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Money is an amount in an ISO 4217 currency.
type Money struct {
	Amount   Amount `json:"amount"`
	Currency string `json:"currency,omitempty"`
}

// IsZero reports whether no amount was given.
func (m Money) IsZero() bool { return m.Amount == 0 }

// String formats the money as "20000000 CNY".
func (m Money) String() string {
	if m.Currency == "" {
		return m.Amount.String()
	}
	return m.Amount.String() + " " + m.Currency
}

// Validate checks the amount is not negative and the currency is three
// capital letters whenever an amount is given. field is the JSON path used
// in the error.
func (m Money) Validate(field string) error {
	if m.Amount < 0 {
		return FieldErrorf(field+".amount", "must not be negative")
	} else if m.Amount > MaxAmount || m.Amount < -MaxAmount {
		return FieldErrorf(field+".amount", "is too large")
	}
	if m.Currency == "" {
		if m.Amount != 0 {
			return FieldErrorf(field+".currency", "is required when an amount is given")
		}
		return nil
	}
	if len(m.Currency) != 3 || strings.ToUpper(m.Currency) != m.Currency || !letters(m.Currency) {
		return FieldErrorf(field+".currency", "must be an ISO 4217 code such as CNY or USD")
	}
	return nil
}

func letters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/warroomhq/warroom"
)

// impactFlags are the impact numbers a person can give when declaring or
// updating an incident; the severity matrix reads them.
type impactFlags struct {
	users, orders        int64
	money, currency      string
	compliance           string
	recovery, noRecovery bool
}

// complianceFlagOnly is what --compliance holds when given without a note.
const complianceFlagOnly = "true"

func (f *impactFlags) register(fs *pflag.FlagSet) {
	fs.Int64Var(&f.users, "users-affected", 0, "number of users affected")
	fs.Int64Var(&f.orders, "orders-affected", 0, "number of orders or transactions affected")
	fs.StringVar(&f.money, "money", "", `money affected, e.g. "20000000 CNY" (or an amount with --currency)`)
	fs.StringVar(&f.currency, "currency", "", "ISO 4217 currency of --money, e.g. CNY")
	fs.StringVar(&f.compliance, "compliance", "", `there is a compliance impact; --compliance="note" says which`)
	fs.Lookup("compliance").NoOptDefVal = complianceFlagOnly
	fs.BoolVar(&f.recovery, "recovery-path", false, "a backup or recovery path exists")
	fs.BoolVar(&f.noRecovery, "no-recovery-path", false, "no backup or recovery path exists")
}

// apply sets on im what the given flags say and reports whether any was
// given.
func (f *impactFlags) apply(fs *pflag.FlagSet, im *warroom.Impact) (bool, error) {
	changed := false
	if fs.Changed("users-affected") {
		im.UsersAffected, changed = f.users, true
	}
	if fs.Changed("orders-affected") {
		im.OrdersAffected, changed = f.orders, true
	}
	if fs.Changed("money") || fs.Changed("currency") {
		m, err := parseMoney("--money", f.money, f.currency)
		if err != nil {
			return false, err
		}
		im.MoneyAffected, changed = m, true
	}
	if fs.Changed("compliance") {
		switch f.compliance {
		case complianceFlagOnly:
			im.ComplianceImpact = true
		case "false":
			im.ComplianceImpact, im.ComplianceNote = false, ""
		default:
			im.ComplianceImpact, im.ComplianceNote = true, f.compliance
		}
		changed = true
	}
	if f.recovery && f.noRecovery {
		return false, usageErrorf("--recovery-path and --no-recovery-path contradict each other")
	}
	if fs.Changed("recovery-path") || fs.Changed("no-recovery-path") {
		v := f.recovery || (fs.Changed("no-recovery-path") && !f.noRecovery)
		im.RecoveryPathAvailable, changed = &v, true
	}
	return changed, nil
}

// lossFlags record what an incident cost.
type lossFlags struct {
	moneyLost, compensation, currency string
	ordersLost                        int64
	downtime, note                    string
}

func (f *lossFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.moneyLost, "money-lost", "", `money lost, e.g. "5000 CNY"`)
	fs.StringVar(&f.compensation, "compensation", "", `compensation paid, e.g. "1200.50 CNY"`)
	fs.StringVar(&f.currency, "loss-currency", "", "currency of --money-lost and --compensation when not written in them")
	fs.Int64Var(&f.ordersLost, "orders-lost", 0, "orders lost")
	fs.StringVar(&f.downtime, "downtime", "", "downtime, in minutes or as a duration such as 2h30m")
	fs.StringVar(&f.note, "loss-note", "", "a note on the loss")
}

// apply sets on l what the given flags say and reports whether any was
// given.
func (f *lossFlags) apply(fs *pflag.FlagSet, l *warroom.Loss) (bool, error) {
	changed := false
	if fs.Changed("money-lost") {
		m, err := parseMoney("--money-lost", f.moneyLost, f.currency)
		if err != nil {
			return false, err
		}
		l.MoneyLost, changed = m, true
	}
	if fs.Changed("compensation") {
		m, err := parseMoney("--compensation", f.compensation, f.currency)
		if err != nil {
			return false, err
		}
		l.CompensationPaid, changed = m, true
	}
	if fs.Changed("orders-lost") {
		l.OrdersLost, changed = f.ordersLost, true
	}
	if fs.Changed("downtime") {
		m, err := parseMinutes(f.downtime)
		if err != nil {
			return false, err
		}
		l.DowntimeMinutes, changed = m, true
	}
	if fs.Changed("loss-note") {
		l.Note, changed = f.note, true
	}
	return changed, nil
}

// parseMoney reads "20000000 CNY", "CNY 20000000", "20,000,000" or
// "1234.5", taking the currency from currency when the value has none.
// The amount's sign and the currency's validity are left to the server,
// whose message names the field.
func parseMoney(flag, value, currency string) (warroom.Money, error) {
	fields := strings.Fields(value)
	var amount string
	switch len(fields) {
	case 0:
		amount = "0"
	case 1:
		amount = fields[0]
	case 2:
		amount, currency = fields[0], fields[1]
		if _, err := warroom.ParseAmount(clean(amount)); err != nil {
			amount, currency = fields[1], fields[0]
		}
	default:
		return warroom.Money{}, usageErrorf("%s: %q is not an amount and a currency such as \"20000000 CNY\"", flag, value)
	}
	a, err := warroom.ParseAmount(clean(amount))
	if err != nil {
		return warroom.Money{}, usageErrorf("%s: %v", flag, err)
	}
	return warroom.Money{Amount: a, Currency: strings.ToUpper(currency)}, nil
}

// clean drops the thousands separators people type.
func clean(amount string) string {
	return strings.NewReplacer(",", "", "_", "").Replace(amount)
}

// parseMinutes reads "90" (minutes) or a Go duration such as "2h30m".
func parseMinutes(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, usageErrorf("--downtime: %q is neither minutes nor a duration such as 2h30m", s)
	}
	return int64(d / time.Minute), nil
}

// parseTime reads an RFC 3339 time, a date (midnight UTC), or a duration
// meaning that long before now ("24h", "7d").
func parseTime(flag, s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usageErrorf("%s: %q is not a time (2025-01-02T15:04:05Z), a date (2025-01-02) or an age (24h, 7d)", flag, s)
}

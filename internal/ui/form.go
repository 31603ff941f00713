package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

// formInt reads an optional whole, non-negative number; an empty field is 0.
func formInt(r *http.Request, rc *request, name, field string) (int64, error) {
	s := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), ",", ""))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, warroom.FieldErrorf(field, "%s", rc.L.T("form.whole_number"))
	}
	return n, nil
}

// formMoney reads an amount and its currency from name and name_currency.
func formMoney(r *http.Request, rc *request, name, field string) (warroom.Money, error) {
	s := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), ",", ""))
	cur := strings.ToUpper(strings.TrimSpace(r.PostFormValue(name + "_currency")))
	if s == "" || s == "0" {
		return warroom.Money{}, nil
	}
	a, err := warroom.ParseAmount(s)
	if err != nil || a < 0 {
		return warroom.Money{}, warroom.FieldErrorf(field+".amount", "%s", rc.L.T("form.amount"))
	}
	return warroom.Money{Amount: a, Currency: cur}, nil
}

// formImpact reads the impact numbers of the declare and edit forms.
func formImpact(r *http.Request, rc *request) (warroom.Impact, error) {
	var im warroom.Impact
	var err error
	if im.UsersAffected, err = formInt(r, rc, "users_affected", "impact.users_affected"); err != nil {
		return im, err
	}
	if im.OrdersAffected, err = formInt(r, rc, "orders_affected", "impact.orders_affected"); err != nil {
		return im, err
	}
	if im.MoneyAffected, err = formMoney(r, rc, "money_affected", "impact.money_affected"); err != nil {
		return im, err
	}
	im.ComplianceImpact = r.PostFormValue("compliance_impact") != ""
	im.ComplianceNote = strings.TrimSpace(r.PostFormValue("compliance_note"))
	switch r.PostFormValue("recovery_path") {
	case "yes":
		im.RecoveryPathAvailable = ptr(true)
	case "no":
		im.RecoveryPathAvailable = ptr(false)
	}
	return im, im.Validate()
}

// formLoss reads the loss form.
func formLoss(r *http.Request, rc *request) (warroom.Loss, error) {
	var l warroom.Loss
	var err error
	if l.MoneyLost, err = formMoney(r, rc, "money_lost", "loss.money_lost"); err != nil {
		return l, err
	}
	if l.CompensationPaid, err = formMoney(r, rc, "compensation_paid", "loss.compensation_paid"); err != nil {
		return l, err
	}
	if l.OrdersLost, err = formInt(r, rc, "orders_lost", "loss.orders_lost"); err != nil {
		return l, err
	}
	if l.DowntimeMinutes, err = formInt(r, rc, "downtime_minutes", "loss.downtime_minutes"); err != nil {
		return l, err
	}
	l.Note = strings.TrimSpace(r.PostFormValue("loss_note"))
	return l, l.Validate()
}

// formIDs reads a repeated ID field, ignoring blanks.
func formIDs(r *http.Request, name string) []int64 {
	_ = r.ParseForm()
	var ids []int64
	for _, s := range r.PostForm[name] {
		if id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// pathID reads a numeric path value; incidents also accept "INC-42".
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	if name == "id" && strings.HasPrefix(r.URL.Path, "/incidents/") {
		return warroom.ParseNumber(v)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, warroom.Errorf(warroom.ENOTFOUND, "%q is not an ID", v)
	}
	return id, nil
}

func ptr[T any](v T) *T { return &v }

package warroom_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
)

func TestCheckTransition(t *testing.T) {
	legal := map[warroom.State][]warroom.State{
		warroom.StateTriggered:     {warroom.StateAcknowledged, warroom.StateInvestigating, warroom.StateIdentified, warroom.StateMitigated, warroom.StateResolved},
		warroom.StateAcknowledged:  {warroom.StateInvestigating, warroom.StateIdentified, warroom.StateMitigated, warroom.StateResolved},
		warroom.StateInvestigating: {warroom.StateIdentified, warroom.StateMitigated, warroom.StateResolved},
		warroom.StateIdentified:    {warroom.StateInvestigating, warroom.StateMitigated, warroom.StateResolved},
		warroom.StateMitigated:     {warroom.StateInvestigating, warroom.StateIdentified, warroom.StateResolved},
		warroom.StateResolved:      {warroom.StateInvestigating, warroom.StateClosed},
		warroom.StateClosed:        nil,
	}
	// Every pair of states, so that a new edge in the table must be
	// deliberate.
	for _, from := range warroom.States {
		for _, to := range warroom.States {
			want := false
			for _, s := range legal[from] {
				want = want || s == to
			}
			err := warroom.CheckTransition(from, to)
			if want && err != nil {
				t.Errorf("%s → %s refused: %v", from, to, err)
			} else if !want {
				if warroom.ErrorCode(err) != warroom.ECONFLICT {
					t.Errorf("%s → %s: got %v, want ECONFLICT", from, to, err)
				} else if warroom.ErrorField(err) != "state" {
					t.Errorf("%s → %s: field %q, want state", from, to, warroom.ErrorField(err))
				}
				for _, s := range legal[from] {
					if !strings.Contains(warroom.ErrorMessage(err), string(s)) {
						t.Errorf("%s → %s: message %q does not name legal state %s", from, to, warroom.ErrorMessage(err), s)
					}
				}
			}
		}
	}
	if err := warroom.CheckTransition(warroom.StateTriggered, "done"); warroom.ErrorCode(err) != warroom.EINVALID {
		t.Errorf("unknown target: got %v, want EINVALID", err)
	}
	if msg := warroom.ErrorMessage(warroom.CheckTransition(warroom.StateClosed, warroom.StateResolved)); !strings.Contains(msg, "closed") {
		t.Errorf("closed message %q does not say closed", msg)
	}
}

func TestParseNumber(t *testing.T) {
	for in, want := range map[string]int64{"INC-42": 42, "inc-7": 7, "42": 42, " INC-1 ": 1} {
		if got, err := warroom.ParseNumber(in); err != nil || got != want {
			t.Errorf("ParseNumber(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "INC-", "INC-0", "-3", "INC-x", "INC-42a", "99999999999999999999"} {
		if _, err := warroom.ParseNumber(in); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("ParseNumber(%q): got %v, want ENOTFOUND", in, err)
		}
	}
	if got := warroom.FormatNumber(42); got != "INC-42" {
		t.Errorf("FormatNumber(42) = %q", got)
	}
}

func TestIncident_Validate(t *testing.T) {
	valid := func() *warroom.Incident {
		return &warroom.Incident{Title: "Orders failing", Type: warroom.TypeSystemCrash}
	}
	tests := []struct {
		name  string
		edit  func(*warroom.Incident)
		field string
	}{
		{"OK", func(*warroom.Incident) {}, ""},
		{"OK Chinese title", func(i *warroom.Incident) { i.Title = strings.Repeat("故", warroom.MaxTitleLen) }, ""},
		{"empty title", func(i *warroom.Incident) { i.Title = "  " }, "title"},
		{"long title", func(i *warroom.Incident) { i.Title = strings.Repeat("x", warroom.MaxTitleLen+1) }, "title"},
		{"long summary", func(i *warroom.Incident) { i.Summary = strings.Repeat("x", warroom.MaxTextLen+1) }, "summary"},
		{"unknown type", func(i *warroom.Incident) { i.Type = "meteor" }, "type"},
		{"missing type means other", func(i *warroom.Incident) { i.Type = "" }, ""},
		{"unknown severity", func(i *warroom.Incident) { i.Severity = "P7" }, "severity"},
		{"bad service", func(i *warroom.Incident) { i.ServiceIDs = []int64{0} }, "service_ids"},
		{"negative users", func(i *warroom.Incident) { i.Impact.UsersAffected = -1 }, "impact.users_affected"},
		{"negative orders", func(i *warroom.Incident) { i.Impact.OrdersAffected = -1 }, "impact.orders_affected"},
		{"negative money", func(i *warroom.Incident) { i.Impact.MoneyAffected = warroom.Money{Amount: -1, Currency: "CNY"} }, "impact.money_affected.amount"},
		{"negative downtime", func(i *warroom.Incident) { i.Loss.DowntimeMinutes = -5 }, "loss.downtime_minutes"},
		{"loss without currency", func(i *warroom.Incident) { i.Loss.CompensationPaid.Amount = 100 }, "loss.compensation_paid.currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := valid()
			tt.edit(inc)
			err := inc.Validate()
			if got := warroom.ErrorField(err); got != tt.field {
				t.Fatalf("field: got %q, want %q (err %v)", got, tt.field, err)
			}
			if err == nil && inc.Type == "" {
				t.Fatal("a valid incident has no type")
			}
			if tt.field != "" && warroom.ErrorCode(err) != warroom.EINVALID {
				t.Fatalf("code: got %q", warroom.ErrorCode(err))
			}
		})
	}
}

func TestIncidentUpdate_Validate(t *testing.T) {
	empty := ""
	bad := warroom.IncidentType("x")
	if err := (&warroom.IncidentUpdate{}).Validate(); err != nil {
		t.Fatalf("empty update: %v", err)
	}
	if f := warroom.ErrorField((&warroom.IncidentUpdate{Title: &empty}).Validate()); f != "title" {
		t.Fatalf("empty title: field %q", f)
	}
	if f := warroom.ErrorField((&warroom.IncidentUpdate{Type: &bad}).Validate()); f != "type" {
		t.Fatalf("bad type: field %q", f)
	}
	if f := warroom.ErrorField((&warroom.IncidentUpdate{Impact: &warroom.Impact{UsersAffected: -3}}).Validate()); f != "impact.users_affected" {
		t.Fatalf("bad impact: field %q", f)
	}
}

func TestIncident_JSONShape(t *testing.T) {
	b, err := json.Marshal(&warroom.Incident{ID: 3, Number: "INC-3", Severity: warroom.P1})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"number":"INC-3"`, `"proposed_severity"`, `"severity_reason"`, `"impact"`, `"users_affected"`, `"money_affected"`, `"recovery_path_available":null`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func TestNoteInput_Validate(t *testing.T) {
	n := warroom.NoteInput{Text: "db failover started"}
	if err := n.Validate(); err != nil || n.Kind != warroom.EventNote || n.Visibility != warroom.VisibilityInternal {
		t.Fatalf("defaults: %v %+v", err, n)
	}
	pub := warroom.NoteInput{Kind: warroom.EventNote, Text: "x", Visibility: warroom.VisibilityPublic}
	if f := warroom.ErrorField(pub.Validate()); f != "visibility" {
		t.Fatalf("public note: field %q", f)
	}
	up := warroom.NoteInput{Kind: warroom.EventStatusUpdate, Text: "We are investigating.", Visibility: warroom.VisibilityPublic}
	if err := up.Validate(); err != nil {
		t.Fatalf("public status update: %v", err)
	}
	if f := warroom.ErrorField((&warroom.NoteInput{Kind: warroom.EventStateChanged, Text: "x"}).Validate()); f != "kind" {
		t.Fatalf("bad kind: field %q", f)
	}
}

func TestUser_Validate(t *testing.T) {
	u := warroom.User{Name: "Ana", Email: "Ana@Example.com", Role: warroom.UserRoleResponder}
	if err := u.Validate(); err != nil || u.Email != "ana@example.com" || u.Locale != "en" || u.TimeZone != "UTC" {
		t.Fatalf("got %v %+v", err, u)
	}
	for _, tt := range []struct {
		edit  func(*warroom.User)
		field string
	}{
		{func(u *warroom.User) { u.Email = "Ana <ana@example.com>" }, "email"},
		{func(u *warroom.User) { u.Email = "nope" }, "email"},
		{func(u *warroom.User) { u.Role = "root" }, "role"},
		{func(u *warroom.User) { u.Locale = "fr" }, "locale"},
		{func(u *warroom.User) { u.TimeZone = "Mars/Olympus" }, "time_zone"},
	} {
		v := warroom.User{Name: "Ana", Email: "ana@example.com", Role: warroom.UserRoleViewer}
		tt.edit(&v)
		if f := warroom.ErrorField(v.Validate()); f != tt.field {
			t.Errorf("field %q, want %q", f, tt.field)
		}
	}
}

func TestUserRole_Can(t *testing.T) {
	want := map[warroom.UserRole]map[warroom.Permission]bool{
		warroom.UserRoleOwner:       {warroom.PermRead: true, warroom.PermRespond: true, warroom.PermAdmin: true, warroom.PermIngest: true},
		warroom.UserRoleAdmin:       {warroom.PermRead: true, warroom.PermRespond: true, warroom.PermAdmin: true, warroom.PermIngest: true},
		warroom.UserRoleResponder:   {warroom.PermRead: true, warroom.PermRespond: true, warroom.PermIngest: true},
		warroom.UserRoleViewer:      {warroom.PermRead: true},
		warroom.UserRoleStakeholder: {warroom.PermRead: true},
		warroom.UserRoleContractor:  {warroom.PermRead: true, warroom.PermRespond: true},
		"bogus":                     {},
	}
	for role, perms := range want {
		for _, p := range warroom.Permissions {
			if got := role.Can(p); got != perms[p] {
				t.Errorf("%s.Can(%s) = %t, want %t", role, p, got, perms[p])
			}
		}
	}
	inactive := &warroom.User{Role: warroom.UserRoleAdmin}
	if inactive.Can(warroom.PermRead) {
		t.Error("inactive user can read")
	}
}

func TestSOPTemplate_Applies(t *testing.T) {
	any := warroom.SOPTemplate{}
	if !any.Applies(warroom.P3, warroom.TypeOther) {
		t.Error("empty template does not apply everywhere")
	}
	crit := warroom.SOPTemplate{Severities: []warroom.Severity{warroom.P0, warroom.P1}, Types: []warroom.IncidentType{warroom.TypeDataLoss}}
	for _, tt := range []struct {
		sev  warroom.Severity
		typ  warroom.IncidentType
		want bool
	}{
		{warroom.P0, warroom.TypeDataLoss, true},
		{warroom.P1, warroom.TypeDataLoss, true},
		{warroom.P2, warroom.TypeDataLoss, false},
		{warroom.P0, warroom.TypeSystemCrash, false},
	} {
		if got := crit.Applies(tt.sev, tt.typ); got != tt.want {
			t.Errorf("Applies(%s, %s) = %t", tt.sev, tt.typ, got)
		}
	}
}

func TestDefaultSOPTemplates(t *testing.T) {
	ts := warroom.DefaultSOPTemplates()
	for _, tmpl := range ts {
		if err := tmpl.Validate(); err != nil {
			t.Errorf("%q: %v", tmpl.Name, err)
		}
	}
	// A P1 data-loss incident gets both the major-incident and the
	// data-loss checklists; a P3 crash gets none.
	applies := func(sev warroom.Severity, typ warroom.IncidentType) (n int) {
		for _, tmpl := range ts {
			if tmpl.Applies(sev, typ) {
				n++
			}
		}
		return n
	}
	if got := applies(warroom.P1, warroom.TypeDataLoss); got != 2 {
		t.Errorf("P1 data loss: %d templates apply, want 2", got)
	}
	if got := applies(warroom.P3, warroom.TypeSystemCrash); got != 0 {
		t.Errorf("P3 crash: %d templates apply, want 0", got)
	}
}

func TestIsCommanderTask(t *testing.T) {
	for _, tt := range []struct {
		title string
		want  bool
	}{
		{warroom.DefaultSOPTemplates()[0].Tasks[0], true},
		{"Assign an incident commander", true},
		{"  assign an INCIDENT commander ", true},
		{"指定事故指挥官", true},
		{"Open the bridge call / 开启应急会议", false},
		{"Assign an incident commander later", false},
		{"", false},
	} {
		if got := warroom.IsCommanderTask(tt.title); got != tt.want {
			t.Errorf("IsCommanderTask(%q) = %t, want %t", tt.title, got, tt.want)
		}
	}
}

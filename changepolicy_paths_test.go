package warroom_test

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func problemCodes(chk *warroom.PolicyCheck) []string {
	var codes []string
	for _, p := range chk.Problems {
		codes = append(codes, p.Code)
	}
	return codes
}

// TestCheckStart_FreezeException counts an exception only when someone
// other than the author granted it.
func TestCheckStart_FreezeException(t *testing.T) {
	p := warroom.DefaultChangePolicy()
	now := time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC)
	c := &warroom.Change{ID: 4, Number: "CHG-4", Kind: warroom.ChangeOther, Risk: warroom.RiskLow, AuthorID: 7}
	admin := &warroom.User{ID: 7, Role: warroom.UserRoleAdmin}
	for _, tt := range []struct {
		name      string
		grantedBy int64
		want      int
	}{
		{"None", 0, 1},
		{"ByAuthor", 7, 1},
		{"ByOther", 8, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &warroom.FreezeWindow{Name: "Double 11", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}
			if tt.grantedBy != 0 {
				f.Exceptions = []*warroom.FreezeException{{ChangeID: c.ID, GrantedBy: tt.grantedBy}}
			}
			if got := len(p.CheckStart(c, 4, admin, []*warroom.FreezeWindow{f}).Problems); got != tt.want {
				t.Errorf("problems = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestCheckRecorded judges a reported change by CheckStart: evidence and
// freezes are violations, approvals fold into one recorded_without_approval
// and an integration reporting it is not judged as a starter.
func TestCheckRecorded(t *testing.T) {
	p := warroom.DefaultChangePolicy()
	now := time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC)
	freeze := []*warroom.FreezeWindow{{Name: "Double 11", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}}
	viewer := &warroom.User{ID: 3, Role: warroom.UserRoleViewer}
	for _, tt := range []struct {
		name     string
		risk     warroom.Risk
		ev       warroom.Evidence
		reporter *warroom.User
		freezes  []*warroom.FreezeWindow
		want     []string
	}{
		{"LowByIntegration", warroom.RiskLow, warroom.Evidence{}, nil, nil, []string{warroom.ViolationWithoutApproval}},
		{"MediumNoReport", warroom.RiskMedium, warroom.Evidence{}, nil, nil, []string{warroom.ViolationWithoutApproval, warroom.ViolationMissingEvidence}},
		{"MediumInFreeze", warroom.RiskMedium, evidence(warroom.EvidenceTestReport), nil, freeze, []string{warroom.ViolationWithoutApproval, warroom.ViolationFreeze}},
		{"ViewerReports", warroom.RiskLow, warroom.Evidence{}, viewer, nil, []string{warroom.ViolationWithoutApproval, warroom.ViolationStarter}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &warroom.Change{ID: 5, Kind: warroom.ChangeDeploy, Risk: tt.risk, Source: warroom.SourcePagerDuty, Evidence: tt.ev}
			got := problemCodes(p.CheckRecorded(c, 2, tt.reporter, tt.freezes))
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("problems = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

package drillfile_test

import (
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/drillfile"
)

func TestRoundTrip(t *testing.T) {
	for _, f := range []drillfile.Format{drillfile.JSON, drillfile.YAML} {
		for _, s := range warroom.BuiltInDrillScenarios() {
			b, err := drillfile.Encode(s, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := drillfile.Parse(b, f)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", f, s.Slug, err, b)
			}
			if got.Name != s.Name || len(got.Steps) != len(s.Steps) || got.Steps[0].Summary != s.Steps[0].Summary || got.BuiltIn {
				t.Errorf("%s %s: got %+v", f, s.Slug, got)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		f         drillfile.Format
		field     string
	}{
		{"UnknownYAMLField", "slug: a\nname: a\nseverity: P1\nstep: []\n", drillfile.YAML, ""},
		{"UnknownJSONField", `{"slug":"a","name":"a","severity":"P1","stepz":[]}`, drillfile.JSON, ""},
		{"Empty", "", drillfile.YAML, ""},
		{"BadSeverity", "slug: a\nname: a\nseverity: P9\nsteps: [{kind: alert, summary: x}]\n", drillfile.YAML, "severity"},
		{"BadOffset", `{"slug":"a","name":"a","severity":"P1","steps":[{"kind":"alert","summary":"x","offset_seconds":-1}]}`, drillfile.JSON, "steps[0].offset_seconds"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := drillfile.Parse([]byte(c.doc), c.f)
			if warroom.ErrorCode(err) != warroom.EINVALID || warroom.ErrorField(err) != c.field {
				t.Errorf("err = %v (field %q), want invalid on %q", err, warroom.ErrorField(err), c.field)
			}
		})
	}
}

// FuzzParse checks that no document makes the parser panic, and that what
// it accepts is valid and survives a round trip.
func FuzzParse(f *testing.F) {
	for _, s := range warroom.BuiltInDrillScenarios()[:2] {
		for _, ff := range []drillfile.Format{drillfile.JSON, drillfile.YAML} {
			b, _ := drillfile.Encode(s, ff)
			f.Add(b, ff == drillfile.YAML)
		}
	}
	f.Add([]byte("slug: &a x\nname: *a\n"), true)
	f.Add([]byte(`{"steps":[{}]}`), false)
	f.Fuzz(func(t *testing.T, doc []byte, yaml bool) {
		ff := drillfile.JSON
		if yaml {
			ff = drillfile.YAML
		}
		s, err := drillfile.Parse(doc, ff)
		if err != nil {
			if warroom.ErrorCode(err) != warroom.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			return
		}
		b, err := drillfile.Encode(s, ff)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := drillfile.Parse(b, ff); err != nil {
			t.Fatalf("re-parse: %v\n%s", err, b)
		}
	})
}

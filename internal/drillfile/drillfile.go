// Package drillfile reads and writes game-day scenarios as JSON or YAML
// documents, the form admins import, export and keep under version control.
package drillfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/warroomhq/warroom"
)

// MaxSize bounds one document.
const MaxSize = 256 << 10

// Format is a document's encoding.
type Format string

// Formats.
const (
	JSON Format = "json"
	YAML Format = "yaml"
)

// ParseFormat accepts json, yaml or yml (any case); empty means JSON.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "json":
		return JSON, nil
	case "yaml", "yml":
		return YAML, nil
	}
	return "", warroom.FieldErrorf("format", "unknown format %q (want json or yaml)", s)
}

// Parse decodes one scenario and validates it. Unknown fields are refused,
// so that a misspelt key is an error rather than a step silently lost.
func Parse(data []byte, f Format) (*warroom.DrillScenario, error) {
	if len(data) > MaxSize {
		return nil, warroom.Errorf(warroom.EINVALID, "A scenario document is at most %d KiB.", MaxSize>>10)
	}
	s := &warroom.DrillScenario{}
	switch f {
	case YAML:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(s); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, warroom.Errorf(warroom.EINVALID, "The scenario document is empty.")
			}
			return nil, warroom.Errorf(warroom.EINVALID, "The scenario is not valid YAML: %s", firstLine(err.Error()))
		}
	default:
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(s); err != nil {
			return nil, warroom.Errorf(warroom.EINVALID, "The scenario is not valid JSON: %s", firstLine(err.Error()))
		}
		if dec.More() {
			return nil, warroom.Errorf(warroom.EINVALID, "The scenario document holds more than one value.")
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Encode writes a scenario as a document that Parse reads back.
func Encode(s *warroom.DrillScenario, f Format) ([]byte, error) {
	out := *s
	out.BuiltIn = false
	if f == YAML {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(&out); err != nil {
			return nil, fmt.Errorf("encode scenario: %w", err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("encode scenario: %w", err)
		}
		return b.Bytes(), nil
	}
	// The JSON form carries what the YAML one does: no built-in flag, no
	// timestamps, so that an export imports under any installation.
	b, err := json.MarshalIndent(struct {
		*warroom.DrillScenario
		BuiltIn   bool `json:"built_in,omitempty"`
		CreatedAt any  `json:"created_at,omitempty"`
		UpdatedAt any  `json:"updated_at,omitempty"`
	}{DrillScenario: &out}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode scenario: %w", err)
	}
	return append(b, '\n'), nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

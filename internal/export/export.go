// Package export renders a postmortem as Markdown, for wikis and chat, and
// as a self-contained printable HTML page that a browser prints to PDF.
// Both are pure functions of the postmortem, so golden files pin them.
package export

import (
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"

	"github.com/warroomhq/warroom"
)

//go:embed postmortem.md.tmpl
var markdownSource string

//go:embed postmortem.html.tmpl
var htmlSource string

var funcs = map[string]any{
	"time": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"at":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"gap":  gap,
	// cell keeps a value on one Markdown table row.
	"cell": func(s string) string {
		return strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ").Replace(s)
	},
	"services": func(inc *warroom.Incident) string {
		names := make([]string, len(inc.Services))
		for i, s := range inc.Services {
			names[i] = s.Name
		}
		if len(names) == 0 {
			return "—"
		}
		return strings.Join(names, ", ")
	},
	"orNone": func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return s
	},
	"cause": func(p *warroom.Postmortem) string {
		if p.CauseCategory == "" {
			return "—"
		}
		if p.CauseSubcategory != "" {
			return string(p.CauseCategory) + " / " + p.CauseSubcategory
		}
		return string(p.CauseCategory)
	},
	"inc1": func(i int) int { return i + 1 },
}

var (
	mdTemplate   = template.Must(template.New("md").Funcs(funcs).Parse(markdownSource))
	htmlTemplate = htmltemplate.Must(htmltemplate.New("html").Funcs(funcs).Parse(htmlSource))
)

// gap formats the time between two key moments, "—" when there is none.
func gap(secs int64) string {
	if secs <= 0 {
		return "—"
	}
	d := time.Duration(secs) * time.Second
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h >= 24:
		return fmt.Sprintf("%dd %dh", h/24, h%24)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

// Markdown renders the postmortem as Markdown. p must be filled (Incident
// set), as the postmortem service returns it.
func Markdown(p *warroom.Postmortem) ([]byte, error) {
	return render(p, func(b *bytes.Buffer) error { return mdTemplate.Execute(b, p) })
}

// HTML renders the postmortem as a printable, self-contained HTML page.
func HTML(p *warroom.Postmortem) ([]byte, error) {
	return render(p, func(b *bytes.Buffer) error { return htmlTemplate.Execute(b, p) })
}

func render(p *warroom.Postmortem, exec func(*bytes.Buffer) error) ([]byte, error) {
	if p == nil || p.Incident == nil {
		return nil, fmt.Errorf("export: the postmortem has no incident")
	}
	var b bytes.Buffer
	if err := exec(&b); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return b.Bytes(), nil
}

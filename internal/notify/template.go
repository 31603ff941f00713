package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	"text/template"
	"time"

	"github.com/warroomhq/warroom"
)

//go:embed templates
var defaults embed.FS

// Locales are the languages messages are written in; the first is the
// fallback for a recipient whose locale is unknown.
var Locales = []string{"en", "zh-CN"}

// Data is what a message template sees.
type Data struct {
	Kind     warroom.NotificationKind
	Incident *Incident
	// Level is the escalation level paging, 1-based, or 0.
	Level int
	// Text is a manual page's message, a verification code, or the SLA
	// target concerned ("acknowledge", "resolve").
	Text string
	Due  time.Time
	// AckURL, ResolveURL and OpenURL become the message's links when set.
	AckURL, ResolveURL, OpenURL string
	// Reminder is set for reminder messages, Change for change messages.
	Reminder *Reminder
	Change   *Change
}

// Reminder is what a reminder message says about late work.
type Reminder struct {
	// Kind is a warroom.ReminderKind: postmortem_due, postmortem_overdue,
	// action_item_overdue, action_item_escalated.
	Kind string
	// Title is the action item's title, or the incident's for a postmortem.
	Title string
	// Due is the due date, in the recipient's time zone.
	Due time.Time
}

// Change is what a change message says about a change.
type Change struct {
	// Notice is the change notification kind: approval_request, decision,
	// rollback, started, ended, violation.
	Notice   string
	Number   string
	Title    string
	Kind     string
	Risk     string
	State    string
	Services string
	// Note is the notice's own text (in English), which carries details
	// such as a violation's reason or an approver's comment.
	Note string
}

// Content is a rendered message.
type Content struct {
	Subject string
	Text    string
	HTML    string
	Links   []Link
}

// Templates renders messages per locale. Teams override any template by
// name (page.subject, page.text, sla_warning.text, label.acknowledge, …)
// without copying the rest.
type Templates struct {
	text map[string]*template.Template
	html *htmltemplate.Template
}

// LoadTemplates parses the built-in templates and then, when overrides is
// not nil, every <locale>.tmpl file in it, whose definitions replace the
// built-in ones of the same name.
func LoadTemplates(overrides fs.FS) (*Templates, error) {
	t := &Templates{text: map[string]*template.Template{}}
	for _, loc := range Locales {
		name := "templates/" + loc + ".tmpl"
		tt, err := template.New(loc).Option("missingkey=error").ParseFS(defaults, name)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		if overrides != nil {
			b, err := fs.ReadFile(overrides, loc+".tmpl")
			if err == nil {
				if _, err := tt.New("override").Parse(string(b)); err != nil {
					return nil, fmt.Errorf("templates: override %s.tmpl: %w", loc, err)
				}
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("templates: %w", err)
			}
		}
		t.text[loc] = tt
	}
	h, err := htmltemplate.ParseFS(defaults, "templates/email.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	t.html = h
	return t, nil
}

// Render renders the message of d's kind in locale (English when unknown).
func (t *Templates) Render(locale string, d Data) (Content, error) {
	tt, ok := t.text[locale]
	if !ok {
		locale = Locales[0]
		tt = t.text[locale]
	}
	kind := string(d.Kind)
	subjectName := kind + ".subject"
	bodyName := kind + ".text"
	if d.Kind == warroom.NotifyPage && d.Incident == nil {
		subjectName = "manual.subject"
	}
	var c Content
	var err error
	if c.Subject, err = exec(tt, subjectName, d); err != nil {
		return Content{}, err
	}
	if c.Text, err = exec(tt, bodyName, d); err != nil {
		return Content{}, err
	}
	c.Text = strings.TrimSpace(c.Text)
	if d.Incident != nil && d.Incident.Drill {
		// Marked here, not in the message templates, so that an override
		// of page.subject cannot make a rehearsal look real.
		mark, err := exec(tt, "label.drill", d)
		if err != nil {
			return Content{}, err
		}
		c.Subject = mark + " " + c.Subject
		c.Text = mark + " " + c.Text
	}
	for _, l := range []struct{ name, url string }{{"label.acknowledge", d.AckURL}, {"label.resolve", d.ResolveURL}, {"label.open", d.OpenURL}} {
		if l.url == "" {
			continue
		}
		label, err := exec(tt, l.name, d)
		if err != nil {
			return Content{}, err
		}
		c.Links = append(c.Links, Link{Label: label, URL: l.url})
	}
	var b bytes.Buffer
	err = t.html.Execute(&b, map[string]any{
		"Locale": locale, "Subject": c.Subject, "Paragraphs": strings.Split(c.Text, "\n"), "Links": c.Links,
	})
	if err != nil {
		return Content{}, fmt.Errorf("render email html: %w", err)
	}
	c.HTML = b.String()
	return c, nil
}

func exec(t *template.Template, name string, d Data) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, d); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}

package statuspage

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// Atom (RFC 4287) elements, only those the feed uses.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Link      atomLink   `xml:"link"`
	Content   atomText   `xml:"content"`
	Category  []atomCat  `xml:"category"`
	Author    atomAuthor `xml:"author"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

// baseURL is where the page is reached: the configured public URL (a
// custom domain), else the address this request came in on.
func baseURL(s *warroom.StatusPageSettings, r *http.Request) string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// feedSize is how many updates the feed carries.
const feedSize = 50

// feed serves every public update, newest first, one entry per update so
// that feed readers show each new message.
func (h *Handler) feed(r *http.Request, l *lang) (*entry, error) {
	settings, err := h.d.StatusPage.FindStatusPageSettings(r.Context())
	if err != nil {
		return nil, err
	}
	ps, _, err := h.d.StatusPage.FindPublicIncidents(r.Context(), warroom.PublicIncidentFilter{Limit: feedSize})
	if err != nil {
		return nil, err
	}
	base := baseURL(settings, r)
	f := atomFeed{Lang: l.Code, ID: base + "/status", Title: settings.Name, Author: atomAuthor{Name: settings.Name},
		Links: []atomLink{{Href: base + "/status/feed.atom?lang=" + l.Code, Rel: "self", Type: "application/atom+xml"}, {Href: base + "/status", Rel: "alternate", Type: "text/html"}}}
	updated := settings.UpdatedAt
	for _, p := range ps {
		for _, u := range p.Updates {
			if u.CreatedAt.After(updated) {
				updated = u.CreatedAt
			}
			f.Entries = append(f.Entries, atomEntry{
				ID:        fmt.Sprintf("%s/status/incidents/%d#update-%d", base, p.ID, u.ID),
				Title:     p.Title + " — " + l.Stage(u.Status),
				Updated:   u.CreatedAt.UTC().Format(time.RFC3339),
				Published: u.CreatedAt.UTC().Format(time.RFC3339),
				Link:      atomLink{Href: fmt.Sprintf("%s/status/incidents/%d", base, p.ID), Rel: "alternate", Type: "text/html"},
				Content:   atomText{Type: "text", Body: updateText(l, u.WhatHappened, u.Impact, u.Actions, u.NextUpdateBy)},
				Category:  []atomCat{{Term: string(u.Status)}},
				Author:    atomAuthor{Name: settings.Name},
			})
		}
	}
	if len(f.Entries) > feedSize {
		f.Entries = f.Entries[:feedSize]
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	b, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, fmt.Errorf("statuspage: feed: %w", err)
	}
	return newEntry(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), b...), h.d.Now()), nil
}

// updateText lays out a public update as plain text, for the feed, emails
// and webhooks alike.
func updateText(l *lang, what, impact, actions string, next *time.Time) string {
	var b strings.Builder
	b.WriteString(what)
	if impact != "" {
		b.WriteString("\n\n" + l.T("update.impact") + ": " + impact)
	}
	if actions != "" {
		b.WriteString("\n\n" + l.T("update.actions") + ": " + actions)
	}
	if next != nil {
		b.WriteString("\n\n" + l.T("incidents.next_update", "Time", l.Time(*next)))
	}
	return b.String()
}

package ui

import (
	"fmt"
	"html/template"
	"strings"
)

// The insights charts are SVG drawn here, on the server: nothing to load
// from elsewhere, readable without JavaScript, and printed as drawn. Every
// text in them is escaped; colours are attributes so that print keeps them.

// bar is one bar of a chart: its label, its value and the text shown on it.
type bar struct {
	Label string
	Value float64
	Text  string
}

const chartInk, chartBar, chartMuted = "#1f2937", "#2f6db5", "#6b7280"

func esc(s string) string { return template.HTMLEscapeString(s) }

// columnChart draws bars side by side, for values over time.
func columnChart(title string, bars []bar) template.HTML {
	const h, top, bottom, left = 180.0, 16.0, 44.0, 8.0
	colW := 28.0
	if len(bars) > 30 {
		colW = 16
	}
	w := left*2 + colW*float64(max(len(bars), 1))
	maxV := 0.0
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, w, h, w, h, esc(title))
	plot := h - top - bottom
	for i, b := range bars {
		x := left + float64(i)*colW
		bh := 0.0
		if maxV > 0 {
			bh = plot * b.Value / maxV
		}
		y := top + plot - bh
		fmt.Fprintf(&s, `<g><title>%s: %s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, esc(b.Label), esc(b.Text), x+2, y, colW-4, bh, chartBar)
		if b.Text != "" && colW >= 20 {
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-size="9" text-anchor="middle" fill="%s">%s</text>`, x+colW/2, y-3, chartInk, esc(b.Text))
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-size="9" text-anchor="end" fill="%s" transform="rotate(-45 %.1f %.1f)">%s</text></g>`,
			x+colW/2, h-bottom+12, chartMuted, x+colW/2, h-bottom+12, esc(b.Label))
	}
	fmt.Fprintf(&s, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="%s"/></svg>`, left, top+plot, w-left, top+plot, chartMuted)
	return template.HTML(s.String())
}

// barChart draws one horizontal bar per row, for breakdowns.
func barChart(title string, bars []bar) template.HTML {
	const rowH, labelW, plotW, textW = 22.0, 140.0, 300.0, 90.0
	w, h := labelW+plotW+textW, rowH*float64(max(len(bars), 1))+8
	maxV := 0.0
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, w, h, w, h, esc(title))
	for i, b := range bars {
		y := 4 + float64(i)*rowH
		bw := 0.0
		if maxV > 0 {
			bw = plotW * b.Value / maxV
		}
		fmt.Fprintf(&s, `<g><text x="%.0f" y="%.1f" font-size="11" text-anchor="end" fill="%s">%s</text><rect x="%.0f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/><text x="%.1f" y="%.1f" font-size="11" fill="%s">%s</text></g>`,
			labelW-6, y+rowH*0.65, chartInk, esc(truncateRunes(b.Label, 22)), labelW, y+3, bw, rowH-8, chartBar, labelW+bw+4, y+rowH*0.65, chartInk, esc(b.Text))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// heatMap draws counts by weekday (rows, Monday first) and hour.
func heatMap(title string, days []string, m [7][24]int) template.HTML {
	const cell, left, top = 18.0, 40.0, 16.0
	w, h := left+cell*24+4, top+cell*7+4
	maxV := 0
	for _, row := range m {
		for _, v := range row {
			maxV = max(maxV, v)
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, w, h, w, h, esc(title))
	for hr := 0; hr < 24; hr += 3 {
		fmt.Fprintf(&s, `<text x="%.1f" y="11" font-size="9" fill="%s">%02d</text>`, left+float64(hr)*cell+2, chartMuted, hr)
	}
	for d, row := range m {
		y := top + float64(d)*cell
		fmt.Fprintf(&s, `<text x="%.0f" y="%.1f" font-size="10" text-anchor="end" fill="%s">%s</text>`, left-4, y+cell*0.7, chartInk, esc(days[d]))
		for hr, v := range row {
			op := 0.0
			if maxV > 0 && v > 0 {
				op = 0.15 + 0.85*float64(v)/float64(maxV)
			}
			fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="%.2f" stroke="#d1d5db" stroke-width="0.5"><title>%s %02d:00 — %d</title></rect>`,
				left+float64(hr)*cell, y, cell-1, cell-1, chartBar, op, esc(days[d]), hr, v)
		}
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// duration prints seconds for people: 45s, 12m, 3h 5m, 2d 4h.
func duration(secs int64) string {
	switch {
	case secs < 60:
		return fmt.Sprintf("%ds", secs)
	case secs < 3600:
		return fmt.Sprintf("%dm", secs/60)
	case secs < 86400:
		return fmt.Sprintf("%dh %dm", secs/3600, secs%3600/60)
	}
	return fmt.Sprintf("%dd %dh", secs/86400, secs%86400/3600)
}

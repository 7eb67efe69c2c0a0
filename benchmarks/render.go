package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The report is written once, as headings, paragraphs, labelled items and tables, to a
// sink that lays them out: for a terminal (within a width, tables split by columns and
// text wrapped between words), or as Markdown.

// lineWidth is the widest line of the default report: it fits a terminal of 120 columns.
const lineWidth = 120

// textTable is a table of text cells; the first column names the row.
type textTable struct {
	header []string
	rows   [][]string
}

type sink interface {
	heading(s string)
	para(s string)
	item(label, s string) // "label: s", the rest of s under s
	table(t textTable)
	defs(d [][2]string) // terms and what each means
	blank()
}

// textSink lays the report out for a terminal of width columns.
type textSink struct {
	w     io.Writer
	width int
}

func (s textSink) heading(h string) { fmt.Fprintln(s.w, h) }
func (s textSink) blank()           { fmt.Fprintln(s.w) }
func (s textSink) para(p string) {
	for _, l := range wrap(p, s.width) {
		fmt.Fprintln(s.w, l)
	}
}

func (s textSink) item(label, text string) {
	prefix := "  " + label + ": "
	if width(prefix) > s.width/3 { // a long label: the text goes under it
		fmt.Fprintln(s.w, strings.TrimRight(prefix, " "))
		prefix = "    "
	}
	indent := strings.Repeat(" ", width(prefix))
	for i, l := range wrap(text, s.width-width(prefix)) {
		if i == 0 {
			fmt.Fprintln(s.w, prefix+l)
		} else {
			fmt.Fprintln(s.w, indent+l)
		}
	}
}

func (s textSink) defs(d [][2]string) {
	w := 0
	for _, e := range d {
		w = max(w, width(e[0]))
	}
	for _, e := range d {
		prefix := "  " + e[0] + strings.Repeat(" ", w-width(e[0])+2)
		for i, l := range wrap(e[1], s.width-width(prefix)) {
			if i > 0 {
				prefix = strings.Repeat(" ", width(prefix))
			}
			fmt.Fprintln(s.w, prefix+l)
		}
	}
}

// table writes t in columns two spaces apart. Columns that do not fit the width go to
// a further table below, which repeats the first column.
func (s textSink) table(t textTable) {
	widths := make([]int, len(t.header))
	for i, h := range t.header {
		widths[i] = width(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], width(c))
		}
	}
	var groups [][]int
	cur, used := []int{0}, widths[0]
	for i := 1; i < len(widths); i++ {
		if used+2+widths[i] > s.width-2 && len(cur) > 1 {
			groups = append(groups, cur)
			cur, used = []int{0}, widths[0]
		}
		cur = append(cur, i)
		used += 2 + widths[i]
	}
	groups = append(groups, cur)
	for g, cols := range groups {
		if g > 0 {
			fmt.Fprintln(s.w)
		}
		line := func(cells []string) {
			var b strings.Builder
			b.WriteString("  ")
			for k, i := range cols {
				c := cells[i]
				if k < len(cols)-1 {
					c += strings.Repeat(" ", widths[i]-width(c)+2)
				}
				b.WriteString(c)
			}
			fmt.Fprintln(s.w, strings.TrimRight(b.String(), " "))
		}
		line(t.header)
		for _, r := range t.rows {
			line(r)
		}
	}
}

// markdownSink writes the report as GitHub Markdown.
type markdownSink struct{ w io.Writer }

func (s markdownSink) heading(h string) { fmt.Fprintf(s.w, "**%s**\n\n", h) }
func (s markdownSink) blank()           {}
func (s markdownSink) para(p string)    { fmt.Fprintf(s.w, "%s\n\n", p) }
func (s markdownSink) item(label, text string) {
	fmt.Fprintf(s.w, "- %s: %s\n", label, text)
}

func (s markdownSink) defs(d [][2]string) {
	for _, e := range d {
		fmt.Fprintf(s.w, "- `%s`: %s\n", e[0], e[1])
	}
	fmt.Fprintln(s.w)
}

func (s markdownSink) table(t textTable) {
	esc := func(cells []string) string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		return "| " + strings.Join(out, " | ") + " |"
	}
	fmt.Fprintln(s.w, esc(t.header))
	fmt.Fprintln(s.w, "|"+strings.Repeat(" --- |", len(t.header)))
	for _, r := range t.rows {
		fmt.Fprintln(s.w, esc(r))
	}
	fmt.Fprintln(s.w)
}

// wrap breaks text into lines of at most width columns, between words only: a word
// longer than the width stands alone on its line, whole.
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// width is the number of columns s takes: every rune in the report is one column wide.
func width(s string) int { return utf8.RuneCountInString(s) }

// shorten cuts s to at most n runes at a space, marking the cut with "…"; a single word
// too long is kept whole.
func shorten(s string, n int) string {
	if width(s) <= n {
		return s
	}
	r := []rune(s)
	cut := strings.LastIndexByte(string(r[:n]), ' ')
	if cut <= 0 {
		return s
	}
	return strings.TrimRight(string(r[:n])[:cut], " ,;:") + "…"
}

package main

import (
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chart is a plot laid out for the docs: the plot, its legend in a column of its own at
// the right (never over the data), and a caption under both.
type chart struct {
	p       *plot.Plot
	entries []legendEntry
	caption string
}

type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

func newChart(title, caption string) *chart {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Title.Padding = vg.Points(8)
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	p.Add(plotGrid())
	return &chart{p: p, caption: caption}
}

// plotGrid is a light grid on the y ticks only: the x ticks are few and marked.
func plotGrid() plot.Plotter {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	return g
}

func (c *chart) legend(name string, thumbs ...plot.Thumbnailer) {
	c.entries = append(c.entries, legendEntry{name, thumbs})
}

// save draws the chart into a file of the given size; the format is the file's extension.
func (c *chart) save(path string, w, h vg.Length) error {
	cv, err := draw.NewFormattedCanvas(w, h, strings.TrimPrefix(filepath.Ext(path), "."))
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	pad := vg.Points(10)
	capStyle := text.Style{Font: font.From(plot.DefaultFont, vg.Points(9)), Handler: plot.DefaultTextHandler, Color: darkGray}
	lines := wrapLength(c.caption, capStyle, w-2*pad)
	lineH := capStyle.FontExtents().Height
	capH := lineH*vg.Length(len(lines)) + pad

	leg := plot.NewLegend()
	leg.Left, leg.Top = true, true
	leg.TextStyle.Font.Size = vg.Points(11)
	leg.Padding = vg.Points(4)
	leg.ThumbnailWidth = vg.Points(28)
	legW := vg.Length(0)
	for _, e := range c.entries {
		leg.Add(e.name, e.thumbs...)
		legW = max(legW, leg.TextStyle.Width(" "+e.name))
	}
	legW += leg.ThumbnailWidth + 2*pad

	c.p.Draw(draw.Crop(dc, 0, -legW, capH, 0))
	titleH := c.p.Title.TextStyle.Rectangle(c.p.Title.Text).Size().Y + c.p.Title.Padding
	leg.Draw(draw.Crop(dc, w-legW+pad/2, -pad/2, capH, -titleH-pad))
	for i, l := range lines {
		y := capH - pad/2 - lineH*vg.Length(i+1) + capStyle.FontExtents().Descent
		dc.FillText(capStyle, vg.Point{X: pad, Y: y}, l)
	}

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := cv.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// wrapLength breaks s between words into lines no wider than width in style sty.
func wrapLength(s string, sty text.Style, width vg.Length) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		next := strings.TrimSpace(cur + " " + word)
		if cur != "" && sty.Width(next) > width {
			lines = append(lines, cur)
			next = word
		}
		cur = next
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// seriesStyle is how one column is drawn on every plot: a colour of its own, a line by
// kind (solid for goroutine pools, dashed for process pools, dotted for Python's
// executors), a glyph of its own, and dualpool's two backends a little heavier.
type seriesStyle struct {
	color  color.Color
	dashes []vg.Length
	width  vg.Length
	shape  draw.GlyphDrawer
}

// palette is Tableau 10, whose colours stay apart for most colour-blind readers too; the
// 10th is gray, kept for the ideal line.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

var (
	gray     = color.RGBA{0x7f, 0x7f, 0x7f, 0xff}
	darkGray = color.RGBA{0x44, 0x44, 0x44, 0xff}
	shapes   = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
		draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.CircleGlyph{}}
)

// styleOf is col's style: by its place among the run's columns, so that a column keeps
// its colour from one plot to the next.
func (r *runner) styleOf(col string) seriesStyle {
	i := max(slices.Index(r.columns(), col), 0) % len(palette)
	st := seriesStyle{color: palette[i], width: vg.Points(2), shape: shapes[i]}
	switch {
	case col == pyThreads || col == pyProcesses:
		st.dashes = []vg.Length{vg.Points(2), vg.Points(3)}
	case r.isProcess(col):
		st.dashes = []vg.Length{vg.Points(7), vg.Points(3)}
	}
	if col == baseline || col == "procpool" {
		st.width = vg.Points(3)
	}
	return st
}

func (r *runner) isProcess(col string) bool {
	for _, b := range r.backends {
		if b.name == col {
			return b.processes
		}
	}
	return false
}

func (st seriesStyle) line() draw.LineStyle {
	return draw.LineStyle{Color: st.color, Width: st.width, Dashes: st.dashes}
}

func (st seriesStyle) glyph() draw.GlyphStyle {
	return draw.GlyphStyle{Color: st.color, Radius: vg.Points(3.5), Shape: st.shape}
}

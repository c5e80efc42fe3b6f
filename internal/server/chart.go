package server

import (
	"fmt"
	"strings"
	"time"

	"s1collector/internal/pipeline"
	"s1collector/internal/series"
)

// Chart is a stream's last 24 hours drawn as inline SVG: a bar per bucket
// for the events delivered, a line for the lag, a mark under each bucket
// with a failed cycle; Desc says the same in words for screen readers.
type Chart struct {
	ID          string
	Title, Desc string
	Bars        string // SVG path: a bar per bucket with events, at its place
	Fails       []rect
	Lag         string // SVG path; empty when no cycle ended
	Ticks       []tick
	MaxLabel    string // the tallest bar's count
	LagLabel    string
}

type rect struct {
	X, Y, W, H float64
	Title      string
}

type tick struct {
	X, TX float64 // the tick, its label's middle
	Label string
}

// The chart's geometry, in the units of its viewBox.
const (
	chartWidth = 720
	slot       = chartWidth / float64(series.PerDay) // one bucket
	barWidth   = slot - 1
	plotTop    = 18
	plotBottom = 118
	failTop    = 122
	failHeight = 8
)

// newChart draws the stream of source.
func newChart(source string, s StreamStatus) *Chart {
	if s.Last24h == nil || len(s.Last24h.buckets) == 0 {
		return nil
	}
	bs := s.Last24h.buckets
	c := &Chart{ID: "chart-" + source + "-" + s.Stream, Title: fmt.Sprintf("%s/%s, last 24 hours", source, s.Stream)}
	var most, lagMost float64
	for _, b := range bs {
		most, lagMost = max(most, float64(b.Delivered)), max(lagMost, b.LagSeconds)
	}
	var bars strings.Builder
	for i, b := range bs {
		x := float64(i) * slot
		if b.Delivered > 0 {
			h := max(1, float64(b.Delivered)/most*(plotBottom-plotTop))
			fmt.Fprintf(&bars, "M%g %.0fh%gV%dh-%gz", x, plotBottom-h, barWidth, plotBottom, barWidth)
		}
		if b.Failed > 0 {
			c.Fails = append(c.Fails, rect{X: x, Y: failTop, W: barWidth, H: failHeight,
				Title: fmt.Sprintf("%d failed cycle(s) at %s–%s UTC", b.Failed, b.Start.Format("15:04"), b.Start.Add(series.Width).Format("15:04"))})
		}
		if t := b.Start; t.Minute() == 0 && t.Hour()%6 == 0 {
			c.Ticks = append(c.Ticks, tick{X: x, TX: min(max(x, 18), chartWidth-18), Label: t.Format("15:04")})
		}
	}
	c.Bars = bars.String()
	c.Lag = lagPath(bs, lagMost)
	c.MaxLabel = pipeline.Count(int64(most)) + " per 10 min"
	if lagMost > 0 {
		c.LagLabel = "lag up to " + human(time.Duration(lagMost*float64(time.Second)))
	}
	c.Desc = describe(s, bs)
	return c
}

// lagPath is the lag at the end of the cycles of each bucket, a line
// broken where no cycle ended.
func lagPath(bs []series.Bucket, most float64) string {
	if most <= 0 {
		return ""
	}
	var p strings.Builder
	pen := "M"
	for i, b := range bs {
		if b.Cycles == 0 && b.LagSeconds == 0 {
			pen = "M"
			continue
		}
		y := plotBottom - b.LagSeconds/most*(plotBottom-plotTop)
		fmt.Fprintf(&p, "%s%g %.0f", pen, float64(i)*slot+barWidth/2, y)
		pen = "L"
	}
	return p.String()
}

// describe says what the chart shows, for screen readers.
func describe(s StreamStatus, bs []series.Bucket) string {
	var total, failed, busiest int64
	var busiestAt time.Time
	var lag float64
	var failedAt []string
	for _, b := range bs {
		total += b.Delivered
		failed += b.Failed
		lag = max(lag, b.LagSeconds)
		if b.Delivered > busiest {
			busiest, busiestAt = b.Delivered, b.Start
		}
		if b.Failed > 0 {
			failedAt = append(failedAt, b.Start.Format("15:04"))
		}
	}
	parts := []string{fmt.Sprintf("%s events delivered in the last 24 hours (UTC, 10-minute buckets)", pipeline.Count(total))}
	if busiest > 0 {
		parts = append(parts, fmt.Sprintf("the most, %s, at %s", pipeline.Count(busiest), busiestAt.Format("15:04")))
	}
	if s.LastDelivery != nil {
		parts = append(parts, "the last at "+s.LastDelivery.UTC().Format("15:04"))
	}
	switch {
	case failed == 0:
		parts = append(parts, "no failed cycle")
	case len(failedAt) > 6:
		parts = append(parts, fmt.Sprintf("%d failed cycle(s), in %d buckets from %s to %s", failed, len(failedAt), failedAt[0], failedAt[len(failedAt)-1]))
	default:
		parts = append(parts, fmt.Sprintf("%d failed cycle(s), at %s", failed, strings.Join(failedAt, ", ")))
	}
	if lag > 0 {
		parts = append(parts, "lag up to "+human(time.Duration(lag*float64(time.Second))))
	}
	if s.Quiet {
		parts = append(parts, fmt.Sprintf("quiet: a day earlier the same hour had %s", pipeline.Count(s.DayBefore)))
	}
	return strings.Join(parts, "; ") + "."
}

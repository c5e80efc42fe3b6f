package server

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"time"

	"s1collector/internal/pipeline"
)

var pageFuncs = template.FuncMap{
	"ago":     ago,
	"date":    func(t *time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"seconds": func(s *float64) string { return human(time.Duration(*s * float64(time.Second))) },
	"dur":     func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"until":   until,
	"clock": func(t any) string {
		at, _ := timeOf(t)
		return at.UTC().Format("15:04 UTC")
	},
	"count":   pipeline.Count,
	"count64": func(n int) string { return pipeline.Count(int64(n)) },
	"chart":   newChart,
	"num":     func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) },
}

// ago writes "3m ago" for a time (or pointer to one) before now.
func ago(now time.Time, t any) string {
	at, ok := timeOf(t)
	if !ok {
		return ""
	}
	return human(now.Sub(at)) + " ago"
}

// until writes "in 12s" for a time after now, "now" once it has passed.
func until(now time.Time, t any) string {
	at, ok := timeOf(t)
	if !ok {
		return ""
	}
	if d := at.Sub(now); d >= time.Second {
		return "in " + human(d)
	}
	return "now"
}

// timeOf reads a time or a pointer to one.
func timeOf(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, true
	case *time.Time:
		if v != nil {
			return *v, true
		}
	}
	return time.Time{}, false
}

// human writes a duration the way a person reads it: 45s, 12m, 3h 5m, 2d 4h.
func human(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

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
	"ago":  ago,
	"date": func(t *time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"seconds": func(s any) string {
		switch v := s.(type) {
		case *float64:
			return human(seconds(*v))
		case float64:
			return human(seconds(v))
		}
		return ""
	},
	"dur":   func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"until": until,
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

// seconds is a duration of s seconds, the longest one for more than a
// Duration holds.
func seconds(s float64) time.Duration {
	if s >= math.MaxInt64/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}

// human writes a duration the way a person reads it: 0.4s, 45s, 12m,
// 3h 5m, 2d 4h.
func human(d time.Duration) string {
	switch {
	case d > 0 && d < time.Second:
		return strconv.FormatFloat(max(0.1, math.Round(d.Seconds()*10)/10), 'f', -1, 64) + "s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

package server

import (
	"fmt"
	"html/template"
	"time"

	"s1collector/internal/pipeline"
)

var pageFuncs = template.FuncMap{
	"ago":     ago,
	"date":    func(t *time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"seconds": func(s *float64) string { return human(time.Duration(*s * float64(time.Second))) },
	"dur":     func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"count":   pipeline.Count,
	"count64": func(n int) string { return pipeline.Count(int64(n)) },
}

// ago writes "3m ago" for a time (or pointer to one) before now.
func ago(now time.Time, t any) string {
	var at time.Time
	switch v := t.(type) {
	case time.Time:
		at = v
	case *time.Time:
		if v == nil {
			return ""
		}
		at = *v
	}
	return human(now.Sub(at)) + " ago"
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

package sentinelone

import (
	"s1collector/internal/scrub"

	"fmt"
	"strings"
	"time"
)

// TimeLayout is how the console writes timestamps: UTC, microseconds, "Z".
const TimeLayout = "2006-01-02T15:04:05.000000Z"

var timeLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseTime reads a console timestamp: RFC 3339 with 0–9 fractional digits
// and "Z" or a ±hh:mm offset. A timestamp with no zone is taken as UTC, as the
// console writes UTC everywhere.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339", truncate(s, 64))
}

// FormatTime writes t as the console does, for use in filters.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

// truncate makes a console's text short and safe to quote: control
// characters escaped, cut between words so a secret is never split.
func truncate(s string, n int) string { return scrub.Cut(scrub.Control(s), n) }

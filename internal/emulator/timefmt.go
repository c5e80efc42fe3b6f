package emulator

import (
	"strings"
	"time"
)

// The emulator writes and reads times on its own, as a console would, so a
// bug in the client's formatting or parsing shows up against it instead of
// being mirrored by it.

// consoleLayout is how a console writes timestamps: UTC, microseconds, "Z".
const consoleLayout = "2006-01-02T15:04:05.000000Z"

// stamp formats microseconds as the console does.
func stamp(us int64) string { return fromMicros(us).Format(consoleLayout) }

// parseFilterTime reads a datetime filter value as the console's API does:
// ISO 8601 with or without fractional seconds, with a zone or without one
// (then UTC), and a space accepted in place of the "T".
func parseFilterTime(s string) (time.Time, error) {
	s = strings.Replace(strings.TrimSpace(s), " ", "T", 1)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	return t.UTC(), err
}

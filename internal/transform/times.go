package transform

import (
	"errors"
	"time"

	"s1collector/internal/sentinelone"
)

// epochMillis is OCSF's timestamp_t: milliseconds since the epoch.
func epochMillis(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

// OCSF timestamps are milliseconds since 1970. A strict consumer takes a
// value below 1e11 (before 1973-03-03) or above 1e14 (after 5138) for
// seconds or microseconds sent by mistake, and no console records such a
// time: it is a placeholder ("0000-01-01", "1970-01-01", "9999-12-31").
const (
	firstEventMillis = 1e11
	lastEventMillis  = 1e14
)

// errPlaceholderTime names a time outside what OCSF events carry.
var errPlaceholderTime = errors.New("is a placeholder, not a time: OCSF events carry times from 1973-03-03 to 5138-11-16")

// parseEventTime reads a console time that will become an OCSF
// timestamp; a placeholder outside OCSF's window is refused rather than
// sent as a negative, tiny or huge time a strict consumer rejects.
func parseEventTime(s string) (time.Time, error) {
	t, err := sentinelone.ParseTime(s)
	if err != nil {
		return time.Time{}, err
	}
	if ms := t.UnixMilli(); ms < firstEventMillis || ms > lastEventMillis {
		return time.Time{}, errPlaceholderTime
	}
	return t, nil
}

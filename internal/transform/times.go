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

// errBeforeEpoch names a time OCSF cannot carry: its timestamps are
// milliseconds since 1970, and 0 means absent.
var errBeforeEpoch = errors.New("is not after 1970-01-01, OCSF's first time")

// parseEventTime reads a console time that will become an OCSF
// timestamp; one at or before the epoch (a console's "0000-01-01" or
// "0001-01-01" placeholder) is refused rather than sent as a negative time.
func parseEventTime(s string) (time.Time, error) {
	t, err := sentinelone.ParseTime(s)
	if err != nil {
		return time.Time{}, err
	}
	if t.UnixMilli() <= 0 {
		return time.Time{}, errBeforeEpoch
	}
	return t, nil
}

package transform

import "time"

// epochMillis is OCSF's timestamp_t: milliseconds since the epoch.
func epochMillis(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

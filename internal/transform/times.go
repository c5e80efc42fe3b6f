package transform

import "time"

// epochSeconds is the seed's "Unix epoch": whole seconds, fraction dropped.
func epochSeconds(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.Unix()
	return &v
}

// epochMillis is OCSF's timestamp_t: milliseconds since the epoch.
func epochMillis(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

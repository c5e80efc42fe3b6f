package server

import (
	"fmt"
	"time"

	"s1collector/internal/sentinelone"
)

// addClocks says, for each source whose console answered, how far its
// clock is from this host's, and warns past sentinelone.ClockSkewWarn.
func addClocks(st *Status, clients map[string]*sentinelone.Client) {
	for i := range st.Sources {
		src := &st.Sources[i]
		cl := clients[src.Name]
		if cl == nil {
			continue
		}
		offset, _, ok := cl.ClockSkew()
		if !ok {
			continue
		}
		secs := offset.Seconds()
		src.ClockSkewSeconds = &secs
		src.ClockWarning = clockWarning(offset)
	}
}

// clockWarning is what to tell a person about the console's clock being
// offset ahead of this host's; "" within sentinelone.ClockSkewWarn.
func clockWarning(offset time.Duration) string {
	if offset.Abs() <= sentinelone.ClockSkewWarn {
		return ""
	}
	way := "ahead of"
	if offset < 0 {
		way = "behind"
	}
	return fmt.Sprintf("The console's clock is %s %s this host's. Time windows (delay, full listings) follow the console's clock, so nothing is missed; "+
		"check this host's time synchronisation (NTP, chrony, timedatectl) — its own times (logs, collected times) are off by as much.",
		human(offset.Abs().Round(time.Second)), way)
}

package pipeline

import (
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// TestWindowsFollowTheConsolesClock: a stream whose clock is its client's
// ConsoleNow (as the collector builds it) computes its windows on the
// console's clock, read from the Date of its answers before the first
// window: with the console's clock 26 years ahead of this host's, a 5m
// delay still reads what the console has (on the host's clock it read
// nothing, forever); with this host an hour ahead, the records of the
// console's last 5 minutes are left for later, as the delay promises.
func TestWindowsFollowTheConsolesClock(t *testing.T) {
	for _, tt := range []struct {
		name  string
		start func() time.Time // the console's clock, frozen
	}{
		{"console ahead", func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"console behind", func() time.Time { return time.Now().Add(-time.Hour).Truncate(time.Second) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu, err := emulator.New(emulator.Config{Agents: 10, HistoryActivities: 600, History: time.Hour, Start: tt.start(),
					RateLimits: map[string]emulator.RateLimit{}})
				if err != nil {
					t.Fatal(err)
				}
				client := consoleClient(t, emu, time.Minute, retry.Policy{MaxAttempts: 1})
				collect := func(delay time.Duration) []time.Time {
					out := &fakeOutput{name: "o"}
					s := newStream(t, emu, sentinelone.Activities, newMemStore(), out)
					s.Lister, s.Now, s.Delay, s.Profile = client, client.ConsoleNow, delay, transform.ProfileRaw
					if res := (&Collector{Streams: []*Stream{s}, Log: s.Log}).Once(t.Context(), nil)[0]; res.Err != nil {
						t.Fatal(res.Err)
					}
					var times []time.Time
					for _, e := range out.events {
						times = append(times, e.Time)
					}
					return times
				}
				delayed, all := collect(5*time.Minute), collect(0)
				// The Date header has whole seconds: the console's now is known
				// within a second.
				cut := emu.Now().Add(-5 * time.Minute)
				least, most := 0, 0
				for _, at := range all {
					if at.Before(cut.Add(-time.Second)) {
						least++
					}
					if at.Before(cut.Add(time.Second)) {
						most++
					}
				}
				if n := len(delayed); n < least || n > most || n == 0 || most == len(all) {
					t.Errorf("with a 5m delay, %d of %d activities delivered; want %d–%d, those older than the console's now less the delay", n, len(all), least, most)
				}
			})
		})
	}
}

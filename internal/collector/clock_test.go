package collector

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"s1collector/internal/emulator"
)

// TestStreamsRunOnTheConsolesClock: Build gives every stream its client's
// console clock, not this host's. With the console's clock six years
// behind (as an emulator started in the past is), the 72 h lookback and a
// 5 m delay still read the console's recent activities; on this host's
// clock every window lies in the console's future and reads nothing.
func TestStreamsRunOnTheConsolesClock(t *testing.T) {
	f := newFixture(t, emulator.Config{Agents: 5, HistoryActivities: 40, History: time.Hour,
		Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, "raw")
	f.cfg.Sources[0].Delay = 5 * time.Minute
	b, err := Build(t.Context(), f.cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
		HTTPClient: &http.Client{Transport: f.emu.Transport()}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, r := range b.Collector.Once(t.Context(), nil) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Stream.Key(), r.Err)
		}
	}
	if n := len(f.lines(t, "activities")); n == 0 {
		t.Error("no activity read: the streams' windows were on this host's clock")
	}
	if off, _, ok := b.Clients["emu"].ClockSkew(); !ok || off > -time.Hour {
		t.Errorf("the client's reading of the console's clock: %s (known %v), want about six years behind", off, ok)
	}
}

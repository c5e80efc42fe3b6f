package pipeline

import (
	"io"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

func TestLag(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ok := StatusSnapshot{LastSuccessStarted: t0, LastSuccess: t0.Add(2 * time.Second)}
	catchUp := StatusSnapshot{LastSuccessStarted: t0, LastSuccess: t0.Add(40 * time.Minute)}
	tests := []struct {
		name  string
		v     StatusSnapshot
		now   time.Time
		delay time.Duration
		want  time.Duration
		known bool
	}{
		{"no success yet", StatusSnapshot{}, t0, 0, 0, false},
		{"just after a quick cycle", ok, t0.Add(3 * time.Second), 0, 2 * time.Second, true},
		{"quiet, the next cycle not yet due", ok, t0.Add(5*time.Minute - time.Second), 0, 2 * time.Second, true},
		{"the delay is part of it", ok, t0.Add(time.Minute), 30 * time.Second, 32 * time.Second, true},
		{"a long catch-up", catchUp, t0.Add(41 * time.Minute), 0, 40 * time.Minute, true},
		{"the next cycle overdue by 7m", ok, t0.Add(12 * time.Minute), 0, 7 * time.Minute, true},
	}
	for _, tt := range tests {
		got, known := tt.v.Lag(tt.now, 5*time.Minute, tt.delay)
		if got != tt.want || known != tt.known {
			t.Errorf("%s: lag %s (%v), want %s (%v)", tt.name, got, known, tt.want, tt.known)
		}
	}
}

// TestLagStaysFlatOnAQuietStream: a stream whose console has nothing new
// and that keeps to its schedule shows the same small lag all day; the
// newest record getting older is not lag.
func TestLagStaysFlatOnAQuietStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Agents: 10, HistoryActivities: 50, HistoryThreats: 5, Start: time.Now(), Speed: 1,
			ActivitiesPerMinute: 1e-9, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9, ThreatsPerHour: 1e-9, ThreatUpdatesPerHour: 1e-9,
			RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			t.Fatal(err)
		}
		s := newStream(t, emu, sentinelone.Activities, newMemStore(), &fakeOutput{name: "o"})
		s.Interval = 5 * time.Minute
		emu.SetFault("activities", emulator.Fault{Latency: 1400 * time.Millisecond})
		c := &Collector{Streams: []*Stream{s}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		var lags []time.Duration
		runFor(c, 2*time.Hour, func() bool {
			if lag, ok := s.Status.Snapshot().Lag(time.Now(), s.Interval, s.Delay); ok {
				lags = append(lags, lag)
			}
			return true
		})
		if len(lags) == 0 {
			t.Fatal("no lag known after two hours")
		}
		for i, lag := range lags {
			if lag > 3*time.Second {
				t.Fatalf("lag %s after %ds of a quiet, up-to-date stream; want the last cycle's 1.4s", lag, i)
			}
		}
	})
}

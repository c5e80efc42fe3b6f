package server

import (
	"strings"
	"testing"
	"time"

	"s1collector/internal/pipeline"
)

// TestReadiness: what /readyz and the page header say for each state of a
// stream, at start and later.
func TestReadiness(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const interval = 5 * time.Minute
	retry := &pipeline.Retry{Endpoint: "agents", Error: "agents: dial tcp: connection refused", Attempt: 2, NextTry: start.Add(time.Minute)}
	done := func(ago time.Duration) pipeline.StatusSnapshot {
		return pipeline.StatusSnapshot{Phase: pipeline.PhaseIdle, LastSuccess: start.Add(-ago), LastSuccessStarted: start.Add(-ago - time.Second)}
	}
	tests := []struct {
		name    string
		v       pipeline.StatusSnapshot
		elapsed time.Duration // since start
		reason  string        // "" when ready
	}{
		{"just started", pipeline.StatusSnapshot{Phase: pipeline.PhaseIdle}, 0, ""},
		{"first cycle syncing for long, no trouble", pipeline.StatusSnapshot{Phase: pipeline.PhaseSyncing}, 3 * interval, ""},
		{"first request retried at start", pipeline.StatusSnapshot{Phase: pipeline.PhaseSyncing, Retry: retry, FailingSince: start}, 5 * time.Second,
			"failing, and no cycle has completed since the start: retrying agents (attempt 2 failed): agents: dial tcp: connection refused"},
		{"first cycle failed", pipeline.StatusSnapshot{Phase: pipeline.PhaseFailing, LastError: "agents: HTTP 503", FailingSince: start}, time.Minute,
			"failing, and no cycle has completed since the start: agents: HTTP 503"},
		{"ok", done(time.Minute), time.Hour, ""},
		{"failing, one interval", withTrouble(done(interval), pipeline.PhaseFailing, start.Add(-interval)), 0, ""},
		{"retrying, one interval", withRetry(done(interval), retry, start.Add(-interval)), 0, ""},
		{"failing, more than two intervals", withTrouble(done(11*time.Minute), pipeline.PhaseFailing, start.Add(-11*time.Minute)), 0,
			"failing for 11m (more than two intervals of 5m): agents: HTTP 503"},
		{"retrying, more than two intervals", withRetry(done(11*time.Minute), retry, start.Add(-11*time.Minute)), 0,
			"failing for 11m (more than two intervals of 5m): retrying agents (attempt 2 failed)"},
		{"stopped", pipeline.StatusSnapshot{Phase: pipeline.PhaseStopped, LastError: "agents: HTTP 401"}, 0, "stopped: agents: HTTP 401"},
		{"no cycle started within the first interval", pipeline.StatusSnapshot{Phase: pipeline.PhaseIdle}, interval + time.Second,
			"no cycle started within its first interval"},
	}
	for _, tt := range tests {
		now := start.Add(tt.elapsed)
		s := streamStatus(tt.v, interval, 0, now, func(s string) string { return s })
		got := notReady(s, tt.v, interval, start, now)
		if (got == "") != (tt.reason == "") || !strings.HasPrefix(got, tt.reason) {
			t.Errorf("%s: not ready because %q, want %q", tt.name, got, tt.reason)
		}
	}
}

func withTrouble(v pipeline.StatusSnapshot, phase pipeline.Phase, since time.Time) pipeline.StatusSnapshot {
	v.Phase, v.FailingSince, v.LastError = phase, since, "agents: HTTP 503"
	return v
}

func withRetry(v pipeline.StatusSnapshot, r *pipeline.Retry, since time.Time) pipeline.StatusSnapshot {
	v.Phase, v.Retry, v.FailingSince = pipeline.PhaseSyncing, r, since
	return v
}

// TestRetryingStreamOnThePage: while a request is retried, the page shows
// the stream "retrying" with the endpoint, attempt, next try and error,
// and the fix to try.
func TestRetryingStreamOnThePage(t *testing.T) {
	now := time.Now()
	v := pipeline.StatusSnapshot{Source: "prod", Stream: "agents", Phase: pipeline.PhaseSyncing, Total: -1,
		Retry:     &pipeline.Retry{Endpoint: "agents", Error: "agents: HTTP 502 Bad Gateway", Attempt: 3, NextTry: now.Add(8 * time.Second)},
		LastError: "agents: HTTP 502 Bad Gateway", LastErrorAt: now, FailingSince: now}
	s := streamStatus(v, time.Minute, 0, now, func(s string) string { return s })
	if s.State != "retrying" || s.Fix == "" || s.Retry.Attempt != 3 {
		t.Fatalf("%+v", s)
	}
	srv, err := New(Config{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	st := Status{Now: now, Sources: []SourceStatus{{Name: "prod", Streams: []StreamStatus{s}}}}
	if err := srv.page.Execute(&b, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`class="state retrying">retrying`, "agents: attempt 3 failed; next try in 8s", "agents: HTTP 502 Bad Gateway", "Fix:"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

package server

import (
	"strings"
	"testing"
	"time"

	"s1collector/internal/pipeline"
)

// TestFailingOutputCountsForReadiness: a stream whose output refuses its
// batch is "retrying" that output, with the attempt, the next try and the
// fix the pipeline gave; readiness counts it like any failure: at once
// when no cycle completed since the start, else after two intervals.
func TestFailingOutputCountsForReadiness(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const interval = 20 * time.Second
	refusing := func(since time.Time, succeeded bool) pipeline.StatusSnapshot {
		v := pipeline.StatusSnapshot{Source: "prod", Stream: "threats", Phase: pipeline.PhaseSyncing, Total: 3, CycleRead: 3,
			Retry:        &pipeline.Retry{Output: "siem", Error: "output siem: HTTP 401: bad token (retry after 20s)", Attempt: 4, NextTry: since.Add(time.Hour)},
			OutputErrors: map[string]string{"siem": "HTTP 401: bad token"}, LastError: "output siem: HTTP 401: bad token", LastErrorAt: since,
			FailingSince: since, Hint: "the output refuses its credentials: check the output's token"}
		if succeeded {
			v.LastSuccess, v.LastSuccessStarted = since.Add(-time.Minute), since.Add(-time.Minute)
		}
		return v
	}
	for _, tt := range []struct {
		name    string
		v       pipeline.StatusSnapshot
		elapsed time.Duration
		reason  string
	}{
		{"refused since the start", refusing(start, false), 5 * time.Second,
			"failing, and no cycle has completed since the start: retrying delivery to output siem (attempt 4 failed): output siem: HTTP 401"},
		{"refused for one interval", refusing(start, true), interval, ""},
		{"refused for more than two intervals", refusing(start, true), 90 * time.Second,
			"failing for 1m (more than two intervals of 20s): retrying delivery to output siem"},
	} {
		now := start.Add(tt.elapsed)
		s := streamStatus(tt.v, interval, 0, now, func(s string) string { return s })
		if s.State != "retrying" || s.Retry == nil || s.Retry.Output != "siem" || !strings.HasPrefix(s.Fix, "the output refuses its credentials") {
			t.Errorf("%s: state %s, retry %+v, fix %q", tt.name, s.State, s.Retry, s.Fix)
		}
		got := notReady(s, tt.v, interval, start, now)
		if (got == "") != (tt.reason == "") || !strings.HasPrefix(got, tt.reason) {
			t.Errorf("%s: not ready because %q, want %q", tt.name, got, tt.reason)
		}
	}

	srv, err := New(Config{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	now := start.Add(time.Minute)
	s := streamStatus(refusing(start, true), interval, 0, now, func(s string) string { return s })
	s.Retry.NextTry = now.Add(8 * time.Second)
	var b strings.Builder
	if err := srv.page.Execute(&b, Status{Now: now, Sources: []SourceStatus{{Name: "prod", Streams: []StreamStatus{s}}}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`class="state retrying">retrying`, "output siem: attempt 4 failed; next try in 8s", "check the output&#39;s token"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// Package server serves what people and machines read about a running
// collector: Prometheus /metrics, /healthz, /readyz, a status page at / and
// the same as JSON at /api/status. Secrets never appear on any of them.
package server

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"s1collector/internal/collector"
	"s1collector/internal/lease"
	"s1collector/internal/pipeline"
	"s1collector/internal/series"
)

// TokenWarnDays is when the status page and "test" highlight a token's
// expiry.
const TokenWarnDays = 14

// Status is the whole collector's state, as /api/status returns it.
type Status struct {
	Version string         `json:"version"`
	Started time.Time      `json:"started"`
	Now     time.Time      `json:"now"`
	Ready   bool           `json:"ready"`
	Reasons []string       `json:"not_ready_reasons,omitempty"`
	Sources []SourceStatus `json:"sources"`
	// With the state in PostgreSQL: this replica, the live ones and the
	// shared state's health (see replicas.go).
	Replica    *lease.Replica  `json:"replica,omitempty"`
	Replicas   []ReplicaStatus `json:"replicas,omitempty"`
	StateStore *StoreStatus    `json:"state_store,omitempty"`
	// SeriesError is why the saved series could not be read (the charts
	// show the last read).
	SeriesError string `json:"series_error,omitempty"`
}

// SourceStatus is one console.
type SourceStatus struct {
	Name           string     `json:"name"`
	TokenExpiresAt *time.Time `json:"token_expires_at,omitempty"`
	TokenDaysLeft  *int       `json:"token_days_left,omitempty"`
	TokenWarning   bool       `json:"token_warning"`
	TokenExpired   bool       `json:"token_expired,omitempty"` // its expiry date has passed
	TokenError     string     `json:"token_error,omitempty"`
	// ClockSkewSeconds is how far the console's clock is ahead of this
	// host's (negative: behind), once it answered; ClockWarning says it
	// past sentinelone.ClockSkewWarn.
	ClockSkewSeconds *float64       `json:"clock_skew_seconds,omitempty"`
	ClockWarning     string         `json:"clock_warning,omitempty"`
	Streams          []StreamStatus `json:"streams"`
}

// StreamStatus is one stream of a source.
type StreamStatus struct {
	Stream string `json:"stream"`
	State  string `json:"state"` // ok, waiting, syncing, retrying, failing, stopped; elsewhere, unassigned
	// Owner is the replica holding the stream, with shared state.
	Owner       string     `json:"owner,omitempty"`
	Progress    string     `json:"progress,omitempty"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// LagSeconds is how far the delivered data trails the console; see
	// pipeline.StatusSnapshot.Lag.
	LagSeconds *float64 `json:"lag_seconds,omitempty"`
	// Retry is the console request being retried, while one is.
	Retry *pipeline.Retry `json:"retry,omitempty"`
	// Waiting is a console request with no answer yet after
	// sentinelone.SlowAfter.
	Waiting *pipeline.Slow `json:"waiting,omitempty"`
	// NextCycle is when the next cycle starts, between cycles.
	NextCycle *time.Time `json:"next_cycle,omitempty"`
	// RecordsToday counts the records delivered since TodaySince, 00:00
	// UTC, from the stream's series: restarts and handovers keep it.
	RecordsToday int64     `json:"records_today"`
	TodaySince   time.Time `json:"records_today_since"`
	// Last24h is what the stream did in the last 24 hours, bucket by
	// bucket.
	Last24h *Day `json:"last_24h,omitempty"`
	// Quiet is set when the stream, succeeding, has delivered nothing for
	// longer than usual while a day earlier, in the same hour, it delivered
	// DayBefore events (series.Quiet).
	Quiet        bool              `json:"quiet"`
	QuietAfter   float64           `json:"quiet_after_seconds,omitempty"`
	DayBefore    int64             `json:"same_hour_day_before"`
	LastDelivery *time.Time        `json:"last_delivery,omitempty"`
	Delivered    int64             `json:"delivered"`
	Read         int64             `json:"read"`
	Odd          int64             `json:"odd"`     // delivered with fields of unexpected types
	Skipped      int64             `json:"skipped"` // not deliverable: not an object, no id
	LastError    string            `json:"last_error,omitempty"`
	LastErrorAt  *time.Time        `json:"last_error_at,omitempty"`
	Fix          string            `json:"fix,omitempty"`
	OutputErrors map[string]string `json:"output_errors,omitempty"`
	History      []pipeline.Cycle  `json:"history"`
	Failures     []pipeline.Cycle  `json:"failures"`
}

// Day is a stream's last 24 hours: series.PerDay buckets of
// BucketSeconds from From, the last one holding now; each list has a
// value per bucket, oldest first.
type Day struct {
	From          time.Time `json:"from"`
	BucketSeconds int       `json:"bucket_seconds"`
	Delivered     []int64   `json:"delivered"`
	Cycles        []int64   `json:"cycles"`
	FailedCycles  []int64   `json:"failed_cycles"`
	// LagSeconds is the largest lag at the end of a cycle (0: no cycle
	// ended).
	LagSeconds []float64 `json:"lag_seconds"`
	buckets    []series.Bucket
}

func newDay(bs []series.Bucket) *Day {
	d := &Day{From: bs[0].Start, BucketSeconds: int(series.Width.Seconds()), buckets: bs}
	for _, b := range bs {
		d.Delivered = append(d.Delivered, b.Delivered)
		d.Cycles = append(d.Cycles, b.Cycles)
		d.FailedCycles = append(d.FailedCycles, b.Failed)
		d.LagSeconds = append(d.LagSeconds, math.Round(b.LagSeconds*1000)/1000)
	}
	return d
}

// Source is what the server is given about a console.
type Source struct {
	Name    string
	Streams []*pipeline.Stream
}

// build assembles the status from the streams, their saved series (by
// key) and the tokens; redact removes secrets from every text.
func build(version string, started, now time.Time, sources []Source, saved map[string][]series.Bucket, tokens map[string]collector.TokenState, redact func(string) string) Status {
	st := Status{Version: version, Started: started, Now: now, Ready: true}
	for _, src := range sources {
		ss := SourceStatus{Name: src.Name}
		if tk, ok := tokens[src.Name]; ok {
			if !tk.ExpiresAt.IsZero() {
				exp, days := tk.ExpiresAt, tk.DaysLeft(now)
				ss.TokenExpiresAt, ss.TokenDaysLeft, ss.TokenWarning = &exp, &days, days < TokenWarnDays
				ss.TokenExpired = !now.Before(exp)
			}
			ss.TokenError = redact(tk.Err)
		}
		for _, s := range src.Streams {
			v := s.Status.Snapshot()
			stream := streamStatus(v, s.Interval, s.Delay, now, redact)
			addSeries(&stream, series.Merge(saved[s.Key()], v.Pending), v, s.Interval, now)
			if reason := notReady(stream, v, s.Interval, started, now); reason != "" {
				st.Ready = false
				st.Reasons = append(st.Reasons, src.Name+"/"+v.Stream+": "+reason)
			}
			ss.Streams = append(ss.Streams, stream)
		}
		st.Sources = append(st.Sources, ss)
	}
	sort.Strings(st.Reasons)
	return st
}

func streamStatus(v pipeline.StatusSnapshot, interval, delay time.Duration, now time.Time, redact func(string) string) StreamStatus {
	s := StreamStatus{Stream: v.Stream, Delivered: v.Delivered, Read: v.Read,
		Odd: v.Odd, Skipped: v.Skipped,
		History: v.History, Failures: v.Failures, LastError: redact(v.LastError), Fix: v.Hint, Retry: v.Retry, Waiting: v.Slow}
	if s.Retry != nil {
		s.Retry.Error = redact(s.Retry.Error)
	}
	if !v.NextCycle.IsZero() {
		t := v.NextCycle
		s.NextCycle = &t
	}
	for i := range s.History {
		s.History[i].Error = redact(s.History[i].Error)
	}
	for i := range s.Failures {
		s.Failures[i].Error = redact(s.Failures[i].Error)
	}
	if len(v.OutputErrors) > 0 {
		s.OutputErrors = map[string]string{}
		for k, e := range v.OutputErrors {
			s.OutputErrors[k] = redact(e)
		}
	}
	if s.Fix != "" {
		s.LastError = strings.TrimSuffix(s.LastError, " — "+s.Fix) // the fix is shown on its own
	}
	if !v.LastSuccess.IsZero() {
		t := v.LastSuccess
		s.LastSuccess = &t
	}
	if !v.LastErrorAt.IsZero() {
		t := v.LastErrorAt
		s.LastErrorAt = &t
	}
	if lag, ok := v.Lag(now, interval, delay); ok && v.Phase != pipeline.PhaseDisabled {
		secs := lag.Seconds()
		s.LagSeconds = &secs
	}
	s.State = streamState(v)
	if s.State == "syncing" || s.State == "retrying" {
		s.Progress = progress(v)
	}
	switch {
	case s.Fix != "":
	case s.State == "failing":
		s.Fix = failingFix(v)
	case s.State == "retrying" && s.Retry != nil && s.Retry.Output != "":
		s.Fix = "An output did not take the batch; it is offered again with backoff and the stream's checkpoint holds. Check the output's URL and credentials, and the peer's answer above."
	case s.State == "retrying":
		s.Fix = "The console did not answer as expected; the request is sent again with backoff. If it persists, check the console's URL and status, DNS, proxy and firewall."
	}
	return s
}

// addSeries fills in the stream's day from its buckets (saved and not
// yet saved): the chart's buckets, today's count and whether it is quiet.
func addSeries(s *StreamStatus, bs []series.Bucket, v pipeline.StatusSnapshot, interval time.Duration, now time.Time) {
	s.TodaySince = series.Midnight(now)
	s.RecordsToday = series.Since(bs, s.TodaySince)
	s.Last24h = newDay(series.Day(bs, now))
	var checked time.Time // the start of the last good cycle, while the stream is well
	if (v.Phase == pipeline.PhaseIdle || v.Phase == pipeline.PhaseSyncing) && v.FailingSince.IsZero() {
		checked = v.LastSuccessStarted
	}
	q := series.Quiet(bs, now, interval, checked)
	s.Quiet, s.DayBefore = q.Quiet, q.DayBefore
	if q.Quiet {
		s.QuietAfter = q.After.Seconds()
	}
	if !q.LastDelivery.IsZero() {
		t := q.LastDelivery
		s.LastDelivery = &t
	}
}

func streamState(v pipeline.StatusSnapshot) string {
	switch v.Phase {
	case pipeline.PhaseSyncing:
		if v.Retry != nil {
			return "retrying"
		}
		return "syncing"
	case pipeline.PhaseFailing:
		return "failing"
	case pipeline.PhaseStopped:
		return "stopped"
	case pipeline.PhaseDisabled:
		return "disabled"
	}
	if v.LastSuccess.IsZero() {
		return "waiting"
	}
	return "ok"
}

func progress(v pipeline.StatusSnapshot) string {
	p := v.Progress()
	if len(v.OutputErrors) > 0 {
		p += "; an output is refusing, batch held"
	}
	return p
}

func failingFix(v pipeline.StatusSnapshot) string {
	if strings.HasPrefix(v.LastError, "output ") || strings.Contains(v.LastError, "output ") {
		return "An output refused the batch: check its URL, credentials and the peer's answer above. Its stream's checkpoint holds; the batch is sent again."
	}
	return "The console did not answer as expected. The next cycle retries from the checkpoint; if it persists, check the console's URL and status."
}

// notReady says why a stream keeps the collector from being ready: it is
// stopped; it fails (a failed cycle, or a request being retried) and has
// not completed a cycle since the start; it has been failing for more than
// two intervals; or it has not started a cycle within its first interval.
// A stream syncing without trouble is ready, however long it takes.
func notReady(s StreamStatus, v pipeline.StatusSnapshot, interval time.Duration, started, now time.Time) string {
	troubled := s.State == "failing" || s.State == "retrying"
	switch {
	case s.State == "stopped":
		return "stopped: " + s.LastError
	case troubled && s.LastSuccess == nil:
		return "failing, and no cycle has completed since the start: " + troubleText(s)
	case troubled && now.Sub(v.FailingSince) > 2*interval:
		return fmt.Sprintf("failing for %s (more than two intervals of %s): %s", human(now.Sub(v.FailingSince)), human(interval), troubleText(s))
	case s.State == "waiting" && now.Sub(started) > interval:
		return "no cycle started within its first interval"
	}
	return ""
}

func troubleText(s StreamStatus) string {
	if s.State == "retrying" && s.Retry != nil {
		what := s.Retry.Endpoint
		if s.Retry.Output != "" {
			what = "delivery to output " + s.Retry.Output
		}
		return fmt.Sprintf("retrying %s (attempt %d failed): %s", what, s.Retry.Attempt, s.Retry.Error)
	}
	return s.LastError
}

package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"s1collector/internal/series"
)

// Phase is what a stream is doing.
type Phase string

// The phases of a stream.
const (
	PhaseIdle    Phase = "idle"    // waiting for its next cycle
	PhaseSyncing Phase = "syncing" // a cycle is running (Retry says when it is retrying a request)
	PhaseFailing Phase = "failing" // the last cycle failed; the next follows after a backoff
	PhaseStopped Phase = "stopped" // not retried until the config is fixed (auth, permission)
	// PhaseDisabled: the console's scope lacks the feature the stream reads
	// (Custom Rules for STAR alerts); not a failure, not retried.
	PhaseDisabled Phase = "disabled"
)

// Status is a stream's live state, for progress lines, logs and the status
// page. Methods are safe for concurrent use; a nil *Status ignores updates.
type Status struct {
	mu   sync.Mutex
	snap StatusSnapshot
}

// StatusSnapshot is a copy of a stream's state.
type StatusSnapshot struct {
	Source, Stream string
	Phase          Phase
	FullSync       bool
	// This cycle.
	CycleStarted          time.Time
	CycleRead, CyclePages int
	CycleDelivered        int
	Total                 int64 // the console's totalItems for this walk, -1 unknown
	// Retry is the console request being retried, nil when none is.
	Retry *Retry
	// Slow is a console request still waiting for its answer after
	// sentinelone.SlowAfter, nil when none is.
	Slow *Slow
	// NextCycle is when the next cycle starts (run only).
	NextCycle time.Time
	// FailingSince is when the failures going on began: the first retry or
	// failed cycle since a page was last read or a cycle succeeded.
	FailingSince time.Time
	// All time, this process.
	Read, Delivered, Pages int64
	// Odd counts records delivered with fields of unexpected types (or an
	// unreadable time); Skipped records that could not be delivered (not an
	// object, no id).
	Odd, Skipped         int64
	Cycles, FailedCycles int64
	DisabledCycles       int64     // ended finding the stream disabled (neither ok nor failed)
	LastSuccess          time.Time // when the last successful cycle ended
	LastSuccessStarted   time.Time // and when it started
	LastError            string
	LastErrorAt          time.Time
	Hint                 string    // what to do about LastError
	Watermark            time.Time // newest record time delivered
	CheckpointSaved      time.Time
	InFlight             int // events of the batch being delivered
	OutputErrors         map[string]string
	OutputFailures       map[string]int64
	// Pending is what the stream did (series buckets) since it last saved
	// its series; SeriesSaved counts those saves.
	Pending     []series.Bucket
	SeriesSaved int64
	// History holds the last cycles, newest last; Failures the last failed
	// ones, kept after they leave History.
	History  []Cycle
	Failures []Cycle
}

// Retry is a console request that failed and will be sent again, or a
// batch an output failed to take and that will be offered again.
type Retry struct {
	Endpoint string    `json:"endpoint,omitempty"` // the console's
	Output   string    `json:"output,omitempty"`   // the outputs' names, when a batch is offered again
	Error    string    `json:"error"`
	Attempt  int       `json:"attempt"` // the attempt that failed, from 1
	NextTry  time.Time `json:"next_try"`
}

// Slow is a console request the console has not answered yet.
type Slow struct {
	Endpoint string        `json:"endpoint"`
	Since    time.Time     `json:"since"`      // when it was sent
	Timeout  time.Duration `json:"timeout_ns"` // when it is given up
	TimesOut time.Time     `json:"times_out"`  // Since + Timeout
}

// Cycle is one cycle in the history.
type Cycle struct {
	Started   time.Time     `json:"started"`
	Duration  time.Duration `json:"duration_ns"`
	Read      int           `json:"read"`
	Delivered int           `json:"delivered"`
	Odd       int           `json:"odd,omitempty"`
	Skipped   int           `json:"skipped,omitempty"`
	FullSync  bool          `json:"full_sync,omitempty"`
	Error     string        `json:"error,omitempty"`
	// Disabled: the console has nothing for the stream in its scope.
	Disabled bool `json:"disabled,omitempty"`
}

const (
	historySize  = 20
	failuresKept = 5
)

// NewStatus starts a stream's status.
func NewStatus(source, stream string) *Status {
	return &Status{snap: StatusSnapshot{Source: source, Stream: stream, Phase: PhaseIdle, Total: -1}}
}

// Snapshot copies the status.
func (s *Status) Snapshot() StatusSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.snap
	c.OutputErrors = maps.Clone(s.snap.OutputErrors)
	c.OutputFailures = maps.Clone(s.snap.OutputFailures)
	c.History = slices.Clone(s.snap.History)
	c.Failures = slices.Clone(s.snap.Failures)
	c.Pending = slices.Clone(s.snap.Pending)
	if s.snap.Retry != nil {
		r := *s.snap.Retry
		c.Retry = &r
	}
	if s.snap.Slow != nil {
		w := *s.snap.Slow
		c.Slow = &w
	}
	return c
}

func (s *Status) update(f func(*StatusSnapshot)) {
	if s == nil {
		return
	}
	s.mu.Lock()
	f(&s.snap)
	s.mu.Unlock()
}

func (s *Status) cycleStarted(full bool) {
	s.update(func(v *StatusSnapshot) {
		v.Phase, v.FullSync, v.CycleStarted = PhaseSyncing, full, time.Now()
		v.CycleRead, v.CyclePages, v.CycleDelivered, v.Total = 0, 0, 0, -1
		v.NextCycle = time.Time{}
	})
}

func (s *Status) pageRead(n int, total *int64) {
	s.update(func(v *StatusSnapshot) {
		if v.Retry != nil && v.Retry.Output == "" {
			v.Retry = nil // the console answers again
		}
		v.Slow = nil
		if len(v.OutputErrors) == 0 {
			v.FailingSince = time.Time{}
		}
		v.Pages++
		v.CyclePages++
		v.CycleRead += n
		v.Read += int64(n)
		if total != nil && v.CyclePages == 1 && !v.FullSync {
			v.Total = *total
		}
	})
}

// listingPlanned sets the progress of a full listing: its whole total, and
// what it read before this cycle when it resumes.
func (s *Status) listingPlanned(total, read int64) {
	s.update(func(v *StatusSnapshot) {
		if total > 0 {
			v.Total = total
		}
		v.CycleRead = max(v.CycleRead, int(read))
	})
}

func (s *Status) delivering(n int) {
	s.update(func(v *StatusSnapshot) { v.InFlight = n })
}

func (s *Status) delivered(n int, watermark time.Time) {
	s.update(func(v *StatusSnapshot) {
		v.InFlight = 0
		if len(v.OutputErrors) > 0 || (v.Retry != nil && v.Retry.Output != "") {
			// every output took the batch: none is failing any more
			v.OutputErrors, v.FailingSince = nil, time.Time{}
			if v.Retry != nil && v.Retry.Output != "" {
				v.Retry = nil
			}
		}
		v.CycleDelivered += n
		v.Delivered += int64(n)
		v.Watermark = watermark
		v.CheckpointSaved = time.Now()
		if n > 0 {
			v.Pending = series.Fold(v.Pending, series.Bucket{Start: v.CheckpointSaved, Delivered: int64(n), LastDelivery: v.CheckpointSaved})
		}
	})
}

// judged counts a page's records that were odd or skipped.
func (s *Status) judged(odd, skipped int) {
	s.update(func(v *StatusSnapshot) { v.Odd += int64(odd); v.Skipped += int64(skipped) })
}

func (s *Status) outputFailed(name string, err error) {
	s.update(func(v *StatusSnapshot) {
		if v.OutputErrors == nil {
			v.OutputErrors = map[string]string{}
		}
		v.OutputErrors[name] = err.Error()
		if v.OutputFailures == nil {
			v.OutputFailures = map[string]int64{}
		}
		v.OutputFailures[name]++
		v.LastError, v.LastErrorAt = "output "+name+": "+err.Error(), time.Now()
	})
}

func (s *Status) outputOK(name string) {
	s.update(func(v *StatusSnapshot) { delete(v.OutputErrors, name) })
}

// retrying records a console request that failed and will be sent again.
func (s *Status) retrying(endpoint string, err error, attempt int, next time.Time) {
	s.update(func(v *StatusSnapshot) {
		v.Retry = &Retry{Endpoint: endpoint, Error: err.Error(), Attempt: attempt, NextTry: next}
		v.Slow = nil
		v.LastError, v.LastErrorAt, v.Hint = err.Error(), time.Now(), ""
		if v.FailingSince.IsZero() {
			v.FailingSince = time.Now()
		}
	})
}

// outputRetrying records a batch outputs failed to take, offered again at
// next; hint says what to do about it.
func (s *Status) outputRetrying(outputs string, err error, hint string, attempt int, next time.Time) {
	s.update(func(v *StatusSnapshot) {
		v.Retry = &Retry{Output: outputs, Error: err.Error(), Attempt: attempt, NextTry: next}
		v.Hint = hint
		if v.FailingSince.IsZero() {
			v.FailingSince = time.Now()
		}
	})
}

// slow records a console request waiting for its answer since since.
func (s *Status) slow(endpoint string, since time.Time, timeout time.Duration) {
	s.update(func(v *StatusSnapshot) {
		v.Slow = &Slow{Endpoint: endpoint, Since: since, Timeout: timeout, TimesOut: since.Add(timeout)}
	})
}

// nextCycleAt records when the next cycle starts.
func (s *Status) nextCycleAt(t time.Time) {
	s.update(func(v *StatusSnapshot) { v.NextCycle = t })
}

// cycleEnded records the end of a cycle.
func (s *Status) cycleEnded(res Result, err error, phase Phase, hint string) {
	s.update(func(v *StatusSnapshot) {
		v.Phase, v.InFlight, v.Retry, v.Slow = phase, 0, nil, nil
		v.Cycles++
		b := series.Bucket{Start: time.Now(), Cycles: 1}
		if err != nil {
			b.Failed = 1
		}
		v.Pending = series.Fold(v.Pending, b)
		c := Cycle{Started: v.CycleStarted, Duration: res.Duration, Read: res.Read, Delivered: res.Delivered,
			Odd: res.Odd, Skipped: res.Skipped, FullSync: res.FullSync}
		if err == nil {
			v.LastSuccess, v.LastSuccessStarted, v.FailingSince = time.Now(), v.CycleStarted, time.Time{}
		} else {
			if v.FailingSince.IsZero() {
				v.FailingSince = time.Now()
			}
			v.FailedCycles++
			v.LastError, v.LastErrorAt, v.Hint = err.Error(), time.Now(), hint
			c.Error = err.Error()
			v.Failures = append(v.Failures, c)
			if len(v.Failures) > failuresKept {
				v.Failures = v.Failures[1:]
			}
		}
		v.History = append(v.History, c)
		if len(v.History) > historySize {
			v.History = v.History[1:]
		}
	})
}

// Lag is how far the delivered data trails the console, when known. A
// successful cycle that started at S has delivered everything the console
// held up to S − delay; its lag is its end minus that point (how long it
// took to catch up, plus the delay). That stays the lag while the stream
// keeps to its schedule, however quiet it is; once the next cycle is
// overdue (failing, stopped, or running long), the lag grows with the time
// beyond the interval: now − (S − delay) − interval.
func (v StatusSnapshot) Lag(now time.Time, interval, delay time.Duration) (time.Duration, bool) {
	if v.LastSuccess.IsZero() {
		return 0, false
	}
	complete := v.LastSuccessStarted.Add(-delay)
	lag := v.LastSuccess.Sub(complete)
	if overdue := now.Sub(complete) - interval; overdue > lag {
		lag = overdue
	}
	return max(lag, 0), true
}

// disabled ends a cycle whose stream the console has no data for: not a
// failure; the reason and what to do are kept as the hint.
func (s *Status) disabled(res Result, reason string) {
	s.update(func(v *StatusSnapshot) {
		v.Phase, v.InFlight, v.Hint, v.Retry, v.FailingSince = PhaseDisabled, 0, reason, nil, time.Time{}
		v.Cycles++
		v.DisabledCycles++
		v.Pending = series.Fold(v.Pending, series.Bucket{Start: time.Now(), Cycles: 1})
		v.LastSuccess, v.LastSuccessStarted = time.Now(), v.CycleStarted
		v.History = append(v.History, Cycle{Started: v.CycleStarted, Duration: res.Duration, Disabled: true})
		if len(v.History) > historySize {
			v.History = v.History[1:]
		}
	})
}

// Progress is the cycle's progress for people: "12,000/100,000 (12%, ~3m
// left)" when the console gave a total, else "12,000 read".
func (v StatusSnapshot) Progress() string {
	if v.Total <= 0 {
		return Count(int64(v.CycleRead)) + " read"
	}
	pct := float64(v.CycleRead) * 100 / float64(v.Total)
	text := fmt.Sprintf("%s/%s (%.0f%%", Count(int64(v.CycleRead)), Count(v.Total), min(pct, 100))
	if el := time.Since(v.CycleStarted); v.CycleRead > 0 && int64(v.CycleRead) < v.Total {
		left := time.Duration(float64(el) * float64(v.Total-int64(v.CycleRead)) / float64(v.CycleRead))
		text += fmt.Sprintf(", ~%s left", left.Round(time.Second))
	}
	return text + ")"
}

// Count writes a record count for people: 1234567 as 1,234,567.
func Count(n int64) string {
	if n < 0 {
		return "-" + Count(-n)
	}
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

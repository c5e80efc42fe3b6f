package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Phase is what a stream is doing.
type Phase string

// The phases of a stream.
const (
	PhaseIdle    Phase = "idle"    // waiting for its next cycle
	PhaseSyncing Phase = "syncing" // a cycle is running
	PhaseFailing Phase = "failing" // the last cycle failed; it will be retried
	PhaseStopped Phase = "stopped" // not retried until the config is fixed (auth, permission)
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
	// All time, this process.
	Read, Delivered, Pages int64
	Cycles, FailedCycles   int64
	LastSuccess            time.Time
	LastError              string
	LastErrorAt            time.Time
	Hint                   string    // what to do about LastError
	Watermark              time.Time // newest record time delivered
	CheckpointSaved        time.Time
	InFlight               int // events of the batch being delivered
	OutputErrors           map[string]string
	OutputFailures         map[string]int64
	// Today counts records delivered since midnight UTC.
	Today    int64
	todayDay string
	// History holds the last cycles, newest last; Failures the last failed
	// ones, kept after they leave History.
	History  []Cycle
	Failures []Cycle
}

// Cycle is one cycle in the history.
type Cycle struct {
	Started   time.Time     `json:"started"`
	Duration  time.Duration `json:"duration_ns"`
	Read      int           `json:"read"`
	Delivered int           `json:"delivered"`
	FullSync  bool          `json:"full_sync,omitempty"`
	Error     string        `json:"error,omitempty"`
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
	if c.todayDay != time.Now().UTC().Format(time.DateOnly) {
		c.Today = 0
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
	})
}

func (s *Status) pageRead(n int, total *int64) {
	s.update(func(v *StatusSnapshot) {
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
		v.CycleDelivered += n
		v.Delivered += int64(n)
		v.Watermark = watermark
		v.CheckpointSaved = time.Now()
		if day := time.Now().UTC().Format(time.DateOnly); day != v.todayDay {
			v.todayDay, v.Today = day, 0
		}
		v.Today += int64(n)
	})
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

// cycleEnded records the end of a cycle.
func (s *Status) cycleEnded(res Result, err error, phase Phase, hint string) {
	s.update(func(v *StatusSnapshot) {
		v.Phase, v.InFlight = phase, 0
		v.Cycles++
		c := Cycle{Started: v.CycleStarted, Duration: res.Duration, Read: res.Read, Delivered: res.Delivered, FullSync: res.FullSync}
		if err == nil {
			v.LastSuccess = time.Now()
		} else {
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

package pipeline

import (
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
	CycleStarted     time.Time
	CycleRead, Pages int
	CycleDelivered   int
	Total            int64 // the console's totalItems for this walk, -1 unknown
	// All time, this process.
	Read, Delivered int64
	LastSuccess     time.Time
	LastError       string
	LastErrorAt     time.Time
	Hint            string // what to do about LastError
	Watermark       time.Time
	OutputErrors    map[string]string
}

// NewStatus starts a stream's status.
func NewStatus(source, stream string) *Status {
	return &Status{snap: StatusSnapshot{Source: source, Stream: stream, Phase: PhaseIdle, Total: -1}}
}

// Snapshot copies the status.
func (s *Status) Snapshot() StatusSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.snap
	c.OutputErrors = make(map[string]string, len(s.snap.OutputErrors))
	for k, v := range s.snap.OutputErrors {
		c.OutputErrors[k] = v
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
		v.CycleRead, v.Pages, v.CycleDelivered, v.Total = 0, 0, 0, -1
	})
}

func (s *Status) pageRead(n int, total *int64) {
	s.update(func(v *StatusSnapshot) {
		v.Pages++
		v.CycleRead += n
		v.Read += int64(n)
		if total != nil && v.Pages == 1 {
			v.Total = *total
		}
	})
}

func (s *Status) delivered(n int, watermark time.Time) {
	s.update(func(v *StatusSnapshot) {
		v.CycleDelivered += n
		v.Delivered += int64(n)
		v.Watermark = watermark
	})
}

func (s *Status) outputFailed(name string, err error) {
	s.update(func(v *StatusSnapshot) {
		if v.OutputErrors == nil {
			v.OutputErrors = map[string]string{}
		}
		v.OutputErrors[name] = err.Error()
		v.LastError, v.LastErrorAt = "output "+name+": "+err.Error(), time.Now()
	})
}

func (s *Status) outputOK(name string) {
	s.update(func(v *StatusSnapshot) { delete(v.OutputErrors, name) })
}

// cycleEnded records the end of a cycle.
func (s *Status) cycleEnded(err error, phase Phase, hint string) {
	s.update(func(v *StatusSnapshot) {
		v.Phase = phase
		if err == nil {
			v.LastSuccess = time.Now()
			return
		}
		v.LastError, v.LastErrorAt, v.Hint = err.Error(), time.Now(), hint
	})
}

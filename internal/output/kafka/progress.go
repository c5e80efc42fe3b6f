package kafka

import (
	"errors"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"s1collector/internal/delivery"
)

// What became of one record of a batch in flight.
const (
	toSend   uint8 = iota // never sent, or failed: (re)send it
	inFlight              // handed to the client, no answer yet
	acked                 // acknowledged by the in-sync replicas: never again
	tooLarge              // refused for its size among others: send it alone
	refused               // refused for its size alone: skipped for good
)

// progress remembers, for the batch in flight of each stream, what became
// of each of its records, so that a retry of a batch that partly failed
// (one partition's leader down, one record too large) produces only the
// records not yet acknowledged, and never one still in flight: the
// duplicates a retry can make are the records a broker wrote while its
// answer was lost.
type progress struct {
	mu      sync.Mutex
	batches map[string]*tracked // by source/stream
}

// tracked is one batch's records.
type tracked struct {
	key      string
	mu       sync.Mutex
	state    []uint8
	errs     []error
	warned   []bool
	inflight int
	idle     chan struct{} // closed while nothing is in flight
}

// of is the progress of b: kept from an earlier try of the same batch, or
// new.
func (p *progress) of(b delivery.Batch) *tracked {
	key, slot := b.Key(), b.Source+"/"+b.Stream
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.batches[slot]; t != nil && t.key == key {
		return t
	}
	if p.batches == nil {
		p.batches = map[string]*tracked{}
	}
	n := len(b.Events)
	t := &tracked{key: key, state: make([]uint8, n), errs: make([]error, n), warned: make([]bool, n), idle: make(chan struct{})}
	close(t.idle)
	p.batches[slot] = t
	return t
}

// finished forgets b's progress: every record was acknowledged or skipped.
func (p *progress) finished(b delivery.Batch, t *tracked) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if slot := b.Source + "/" + b.Stream; p.batches[slot] == t {
		delete(p.batches, slot)
	}
}

// waitIdle is closed once no record of an earlier try is in flight.
func (t *tracked) waitIdle() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.idle
}

// take marks the records in state from as in flight and returns them.
func (t *tracked) take(from uint8) []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int
	for i, s := range t.state {
		if s == from {
			out = append(out, i)
		}
	}
	if len(out) > 0 && t.inflight == 0 {
		t.idle = make(chan struct{})
	}
	for _, i := range out {
		t.state[i] = inFlight
	}
	t.inflight += len(out)
	return out
}

// settle records the client's answer for record i; alone tells whether it
// was sent by itself.
func (t *tracked) settle(i int, err error, alone bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err == nil:
		t.state[i] = acked
	case errors.Is(err, kerr.MessageTooLarge) && alone:
		t.state[i] = refused
	case errors.Is(err, kerr.MessageTooLarge):
		t.state[i] = tooLarge
	default:
		t.state[i] = toSend
	}
	t.errs[i] = err
	t.inflight--
	if t.inflight == 0 {
		close(t.idle)
	}
}

// failure is the first error of a record still to send, nil when every
// record was acknowledged or refused for good.
func (t *tracked) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, s := range t.state {
		if s != acked && s != refused {
			if t.errs[i] == nil {
				return errNotAcked
			}
			return t.errs[i]
		}
	}
	return nil
}

// newlyRefused are the records refused for good not reported yet, with
// their errors.
func (t *tracked) newlyRefused() (idx []int, errs []error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, s := range t.state {
		if s == refused && !t.warned[i] {
			t.warned[i] = true
			idx, errs = append(idx, i), append(errs, t.errs[i])
		}
	}
	return idx, errs
}

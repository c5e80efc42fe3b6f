package httpout

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
)

// Progress remembers, for the batch in flight of each stream, how many of
// its items the peer accepted. The pipeline retries the same batch after a
// failure; Progress makes the retry start at the first item not accepted.
// It also splits a request the peer refuses as too large (HTTP 413).
type Progress struct {
	// Log, when set, is told once that the peer refused a request as too
	// large, with TooLargeHint: what the user can change to avoid it.
	Log          *slog.Logger
	TooLargeHint string

	mu      sync.Mutex
	done    map[string]progressEntry
	told413 bool
}

type progressEntry struct {
	batch string
	n     int
}

// Skip is how many items of b were already accepted.
func (p *Progress) Skip(b delivery.Batch) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.done[b.Source+"/"+b.Stream]; ok && e.batch == b.Key() {
		return e.n
	}
	return 0
}

// Accepted records that the first n items of b were accepted.
func (p *Progress) Accepted(b delivery.Batch, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		p.done = map[string]progressEntry{}
	}
	p.done[b.Source+"/"+b.Stream] = progressEntry{batch: b.Key(), n: n}
}

// Finished forgets b: it was delivered whole.
func (p *Progress) Finished(b delivery.Batch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.done, b.Source+"/"+b.Stream)
}

// Send posts the batch's items in chunks (consecutive ranges of item
// indexes, as Chunks gives), in order, starting at the first item an
// earlier try of the same batch did not get accepted. send posts
// items[from:to]. A request refused as too large (HTTP 413) is split in
// halves, each sent again; one item refused alone fails for good.
func (p *Progress) Send(b delivery.Batch, chunks [][2]int, send func(from, to int) error) error {
	done := p.Skip(b)
	for i, c := range chunks {
		if c[1] <= done {
			continue
		}
		if err := p.sendSplitting(b, max(c[0], done), c[1], send); err != nil {
			if len(chunks) == 1 {
				return err
			}
			return fmt.Errorf("request %d of %d: %w", i+1, len(chunks), err)
		}
	}
	p.Finished(b)
	return nil
}

func (p *Progress) sendSplitting(b delivery.Batch, from, to int, send func(from, to int) error) error {
	err := send(from, to)
	if err == nil {
		p.Accepted(b, to)
		return nil
	}
	if !TooLarge(err) {
		return err
	}
	if to-from == 1 {
		return retry.Permanent(fmt.Errorf("%w — the peer refuses even this one event alone as too large: raise its limit on the request size", err))
	}
	p.tell413(err)
	mid := from + (to-from)/2
	if err := p.sendSplitting(b, from, mid, send); err != nil {
		return err
	}
	return p.sendSplitting(b, mid, to, send)
}

func (p *Progress) tell413(err error) {
	p.mu.Lock()
	told := p.told413
	p.told413 = true
	p.mu.Unlock()
	if !told && p.Log != nil {
		p.Log.Warn("the peer refused a request as too large (HTTP 413): requests are split in halves and sent again; "+p.TooLargeHint, "error", err)
	}
}

// TooLarge reports whether the peer refused a request as too large.
func TooLarge(err error) bool {
	var pe *PeerError
	return errors.As(err, &pe) && pe.Status == http.StatusRequestEntityTooLarge
}

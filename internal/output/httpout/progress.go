package httpout

import (
	"fmt"
	"sync"

	"s1collector/internal/delivery"
)

// Progress remembers, for the batch in flight of each stream, how many of
// its chunks the peer accepted. The pipeline retries the same batch after a
// failure; Progress makes the retry start at the first chunk not accepted.
type Progress struct {
	mu   sync.Mutex
	done map[string]progressEntry
}

type progressEntry struct {
	batch string
	n     int
}

// Skip is how many chunks of b were already accepted.
func (p *Progress) Skip(b delivery.Batch) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.done[b.Source+"/"+b.Stream]; ok && e.batch == b.Key() {
		return e.n
	}
	return 0
}

// Accepted records that the first n chunks of b were accepted.
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

// Send posts chunks in order, skipping those accepted by an earlier try of
// the same batch.
func (p *Progress) Send(b delivery.Batch, chunks int, send func(i int) error) error {
	for i := p.Skip(b); i < chunks; i++ {
		if err := send(i); err != nil {
			if chunks == 1 {
				return err
			}
			return fmt.Errorf("request %d of %d: %w", i+1, chunks, err)
		}
		p.Accepted(b, i+1)
	}
	p.Finished(b)
	return nil
}

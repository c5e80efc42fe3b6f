package delivery

import (
	"hash/maphash"
	"strconv"
	"sync"
)

// Skips collects the events of a batch that an output skipped because the
// destination can never take them (too large, say), so that the pipeline
// counts them as skipped, not delivered. An event skipped by several
// outputs, or at several tries, counts once. A nil *Skips ignores them.
type Skips struct {
	mu  sync.Mutex
	ids map[string]bool
}

// Add records that the event with this id was skipped.
func (s *Skips) Add(id string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]bool{}
	}
	s.ids[id] = true
}

// Len is how many distinct events were skipped.
func (s *Skips) Len() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

var keySeed = maphash.MakeSeed()

// Key identifies the batch by its source, stream and every event's id and
// body: a retry of the same batch has the same key, a batch read again
// with a changed event has another. Outputs that remember what part of a
// batch a destination accepted key that memory by it.
func (b Batch) Key() string {
	if len(b.Events) == 0 {
		return ""
	}
	var h maphash.Hash
	h.SetSeed(keySeed)
	h.WriteString(b.Source)
	h.WriteByte(0)
	h.WriteString(b.Stream)
	for _, e := range b.Events {
		h.WriteByte(0)
		h.WriteString(e.ID)
		h.WriteByte(0)
		h.Write(e.Body)
	}
	return b.Source + "/" + b.Stream + "/" + strconv.Itoa(len(b.Events)) + "/" + strconv.FormatUint(h.Sum64(), 16)
}

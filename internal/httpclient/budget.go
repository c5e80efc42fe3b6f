package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
)

// DefaultBudgetBytes bounds the response bodies all console clients of a
// process hold at once: three times the largest a console body may be
// (32 MiB), so that the largest can be read in pieces and joined while
// others are read. Measured: 24 concurrent gzip bombs then peak at ~210
// MiB resident, where they reached 2.79 GB.
const DefaultBudgetBytes = 96 << 20

// ErrBudget is a body that could not be read within the memory budget:
// every reader was waiting for memory, and this one held the least. It is
// transient.
var ErrBudget = errors.New("response bodies being read at once exceed the memory budget")

// Budget bounds the memory of response bodies read at once by the clients
// that share it. A reader that needs more waits for others to finish. When
// every reader is waiting, none could finish: the one holding the least
// gives up with ErrBudget and releases what it holds, so the others go on
// (the closest to done first) and none waits for ever.
type Budget struct {
	mu       sync.Mutex
	freed    sync.Cond // broadcast when memory is released
	total    int64
	used     int64
	peak     int64
	readers  int // reading or holding a body
	waiters  []*reservation
	evicting int // readers told to give up that have not yet
}

// NewBudget returns a budget of total bytes.
func NewBudget(total int64) *Budget {
	b := &Budget{total: total}
	b.freed.L = &b.mu
	return b
}

var defaultBudget = NewBudget(DefaultBudgetBytes)

// DefaultBudget is the process's budget, shared by every client that is
// not given its own.
func DefaultBudget() *Budget { return defaultBudget }

// Used is the memory held now, in bytes.
func (b *Budget) Used() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Peak is the most memory held at once so far, in bytes.
func (b *Budget) Peak() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peak
}

// chunkBytes is the piece a body of unknown length is read in: pieces of
// one size are reused by the memory allocator, where buffers that double
// fragment it (measured: 366 MiB peak under bombs, see TestGzipBomb…).
const chunkBytes = 1 << 20

// ReadBody reads r to its end, at most limit bytes, taking memory from the
// budget as it goes (hint: the announced length, or 0). Call release when
// done with the bytes, also after an error.
func (b *Budget) ReadBody(ctx context.Context, r io.Reader, hint, limit int64) (body []byte, release func(), err error) {
	if hint > limit {
		return nil, func() {}, fmt.Errorf("response body of %d bytes larger than %d bytes", hint, limit)
	}
	res := b.reserve()
	var chunks [][]byte
	var total int64
	size, next := min(max(hint, 32<<10), limit), -1 // next: a byte read ahead
	for {
		chunk, err := res.alloc(ctx, size)
		if err != nil {
			return nil, res.release, err
		}
		n := 0
		if next >= 0 {
			chunk[0], n = byte(next), 1
		}
		m, err := io.ReadFull(r, chunk[n:])
		chunks, total = append(chunks, chunk[:n+m]), total+int64(n+m)
		if err == nil { // full: is there more? One byte tells.
			var b byte
			if b, err = readByte(r); err == nil {
				if total >= limit {
					return nil, res.release, fmt.Errorf("response body larger than %d bytes", limit)
				}
				size, next = min(chunkBytes, limit-total), int(b)
				continue
			}
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, res.release, err
		}
		break
	}
	body, err = res.join(ctx, chunks, total)
	return body, res.release, err
}

func readByte(r io.Reader) (byte, error) {
	var p [1]byte
	for {
		n, err := r.Read(p[:])
		if n == 1 {
			return p[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}

func (b *Budget) reserve() *reservation {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.readers++
	return &reservation{b: b}
}

func (r *reservation) alloc(ctx context.Context, size int64) ([]byte, error) {
	if err := r.grow(ctx, size); err != nil {
		return nil, err
	}
	return make([]byte, size), nil
}

// join puts the chunks in one buffer; they and it both count while the
// bytes are copied.
func (r *reservation) join(ctx context.Context, chunks [][]byte, total int64) ([]byte, error) {
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	body, err := r.alloc(ctx, total)
	if err != nil {
		return nil, err
	}
	var held int64
	body = body[:0]
	for _, c := range chunks {
		body = append(body, c...)
		held += int64(cap(c))
	}
	r.shrink(held)
	return body, nil
}

// reservation is one reader's share of the budget.
type reservation struct {
	b        *Budget
	held     int64
	released bool
	evicted  bool // told to give up: every reader was waiting
}

func (r *reservation) grow(ctx context.Context, n int64) error {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used+n > b.total {
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case r.held+n > b.total:
			return ErrBudget
		case len(b.waiters)+1 >= b.readers && b.evicting == 0:
			victim := r
			for _, w := range b.waiters {
				if w.held < victim.held {
					victim = w
				}
			}
			if victim == r {
				return ErrBudget
			}
			victim.evicted = true
			b.evicting++
			b.freed.Broadcast()
		}
		stop := context.AfterFunc(ctx, func() {
			b.mu.Lock()
			b.freed.Broadcast()
			b.mu.Unlock()
		})
		b.waiters = append(b.waiters, r)
		b.freed.Wait()
		b.waiters = slices.DeleteFunc(b.waiters, func(w *reservation) bool { return w == r })
		stop()
		if r.evicted {
			b.evicting--
			return ErrBudget
		}
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	r.held += n
	return nil
}

// shrink gives back n bytes the reader no longer holds.
func (r *reservation) shrink(n int64) {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	r.held -= n
	b.freed.Broadcast()
}

func (r *reservation) release() {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.released {
		return
	}
	r.released = true
	b.used -= r.held
	b.readers--
	b.freed.Broadcast()
}

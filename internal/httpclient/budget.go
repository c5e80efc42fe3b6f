package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// DefaultBudgetBytes bounds the response bodies all console clients of a
// process hold at once: twice the largest a single body may be.
const DefaultBudgetBytes = 128 << 20

// ErrBudget is a body that could not be read within the memory budget
// while every other reader was waiting for memory too. It is transient.
var ErrBudget = errors.New("response bodies being read at once exceed the memory budget")

// Budget bounds the memory of response bodies read at once by the clients
// that share it. A reader that needs more waits for others to finish,
// unless all others are waiting as well: then it gives up with ErrBudget
// (releasing what it holds) so that none waits for ever.
type Budget struct {
	mu      sync.Mutex
	freed   sync.Cond // broadcast when memory is released
	total   int64
	used    int64
	peak    int64
	readers int // reading or holding a body
	waiting int
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

// ReadBody reads r to its end, at most limit bytes, taking memory from the
// budget as the buffer grows (hint: the announced length, or 0). Call
// release when done with the bytes, also after an error.
func (b *Budget) ReadBody(ctx context.Context, r io.Reader, hint, limit int64) (body []byte, release func(), err error) {
	res := &reservation{b: b}
	if hint > limit {
		return nil, func() {}, fmt.Errorf("response body of %d bytes larger than %d bytes", hint, limit)
	}
	b.mu.Lock()
	b.readers++
	b.mu.Unlock()
	size := int64(32 << 10)
	if hint > 0 {
		size = hint + 1 // room to see the end
	}
	size = min(size, limit+1)
	if err := res.grow(ctx, size); err != nil {
		return nil, res.release, err
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, res.release, fmt.Errorf("response body larger than %d bytes", limit)
			}
			next := min(2*int64(cap(buf)), limit+1)
			if err := res.grow(ctx, next-int64(cap(buf))); err != nil {
				return nil, res.release, err
			}
			buf = append(make([]byte, 0, next), buf...)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, res.release, err
		}
	}
	if int64(len(buf)) > limit {
		return nil, res.release, fmt.Errorf("response body larger than %d bytes", limit)
	}
	return buf, res.release, nil
}

// reservation is one reader's share of the budget.
type reservation struct {
	b        *Budget
	held     int64
	released bool
}

func (r *reservation) grow(ctx context.Context, n int64) error {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used+n > b.total {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.held+n > b.total || b.waiting+1 >= b.readers {
			return ErrBudget
		}
		stop := context.AfterFunc(ctx, func() {
			b.mu.Lock()
			b.freed.Broadcast()
			b.mu.Unlock()
		})
		b.waiting++
		b.freed.Wait()
		b.waiting--
		stop()
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	r.held += n
	return nil
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

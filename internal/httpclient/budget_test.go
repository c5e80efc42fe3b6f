package httpclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"testing/synctest"
)

// endless is a body that never ends: a decompressing gzip bomb.
type endless struct{}

var as = bytes.Repeat([]byte{'A'}, 64<<10)

func (endless) Read(p []byte) (int, error) { return copy(p, as), nil }

// TestBombsStayWithinTheBudget: 24 endless bodies read at once, each
// allowed 4 MiB, never hold more than the shared 8 MiB; each ends with an
// error (too large, or over the budget), none hangs.
func TestBombsStayWithinTheBudget(t *testing.T) {
	const limit, total = 4 << 20, 8 << 20
	b := NewBudget(total)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for range 24 {
		wg.Go(func() {
			body, release, err := b.ReadBody(context.Background(), endless{}, 0, limit)
			defer release()
			if body != nil {
				t.Error("an endless body was read whole")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	tooLarge, overBudget := 0, 0
	for err := range errs {
		switch {
		case errors.Is(err, ErrBudget):
			overBudget++
		case err != nil && strings.Contains(err.Error(), "larger than 4194304 bytes"):
			tooLarge++
		default:
			t.Errorf("err = %v", err)
		}
	}
	t.Logf("%d too large, %d over the budget, peak %d MiB", tooLarge, overBudget, b.Peak()>>20)
	if b.Peak() > total || b.Used() != 0 {
		t.Errorf("peak %d, still used %d", b.Peak(), b.Used())
	}
	if tooLarge == 0 {
		t.Error("no body reached its own limit")
	}
}

// TestReaderWaitsForMemory: a body that does not fit waits while another
// holds memory, and is read once that is released.
func TestReaderWaitsForMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(1 << 20)
		first, releaseFirst, err := b.ReadBody(context.Background(), bytes.NewReader(make([]byte, 700<<10)), 700<<10, 1<<20)
		if err != nil || len(first) != 700<<10 {
			t.Fatal(len(first), err)
		}
		done := make(chan error, 1)
		go func() {
			body, release, err := b.ReadBody(context.Background(), bytes.NewReader(make([]byte, 600<<10)), 600<<10, 1<<20)
			if err == nil && len(body) != 600<<10 {
				err = errors.New("short body")
			}
			release()
			done <- err
		}()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("read without waiting: %v", err)
		default:
		}
		releaseFirst()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if b.Used() != 0 {
			t.Errorf("used %d after all released", b.Used())
		}
	})
}

// TestWaitEndsWithTheContext: a reader waiting for memory gives up when
// its request is cancelled.
func TestWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(1 << 20)
		_, releaseFirst, _ := b.ReadBody(context.Background(), bytes.NewReader(make([]byte, 900<<10)), 900<<10, 1<<20)
		defer releaseFirst()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			_, release, err := b.ReadBody(ctx, bytes.NewReader(make([]byte, 500<<10)), 500<<10, 1<<20)
			release()
			done <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestAnnouncedOversizeIsRefusedUnread: a Content-Length over the limit
// is refused before reading a byte.
func TestAnnouncedOversizeIsRefusedUnread(t *testing.T) {
	b := NewBudget(1 << 20)
	_, release, err := b.ReadBody(context.Background(), io.MultiReader(), 10<<30, 64<<20)
	release()
	if err == nil || !strings.Contains(err.Error(), "10737418240 bytes larger than 67108864") || b.Peak() != 0 {
		t.Fatalf("err = %v, peak %d", err, b.Peak())
	}
}

// TestReadBodyReadsExactly: bodies of every size around the chunk and
// limit boundaries, announced or not, read in small or large pieces, come
// back byte for byte; one byte over the limit is refused; the budget is
// whole again afterwards.
func TestReadBodyReadsExactly(t *testing.T) {
	const limit = 3<<20 + 100
	b := NewBudget(2 * limit)
	sizes := []int{0, 1, 32<<10 - 1, 32 << 10, 32<<10 + 1, 1<<20 + 5, 2<<20 + 32<<10, limit - 1, limit, limit + 1, 5 << 20}
	for _, n := range sizes {
		want := make([]byte, n)
		for i := range want {
			want[i] = byte(i*7 + i>>9)
		}
		for _, announced := range []bool{false, true} {
			for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.HalfReader, iotest.DataErrReader} {
				hint := int64(0)
				if announced {
					hint = int64(n)
				}
				got, release, err := b.ReadBody(context.Background(), wrap(bytes.NewReader(want)), hint, limit)
				switch {
				case n > limit && (err == nil || !strings.Contains(err.Error(), "larger than")):
					t.Errorf("%d bytes (announced %v): err %v", n, announced, err)
				case n <= limit && (err != nil || !bytes.Equal(got, want)):
					t.Errorf("%d bytes (announced %v): %d read, err %v", n, announced, len(got), err)
				}
				release()
			}
		}
	}
	if b.Used() != 0 || b.Peak() > 2*limit {
		t.Errorf("used %d, peak %d", b.Used(), b.Peak())
	}
}

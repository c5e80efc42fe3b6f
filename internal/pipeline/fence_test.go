package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// takenOverStore accepts a number of saves, then refuses every one as a
// shared store does once another replica has taken the stream over. It
// notes how many batches the output had taken at the first refusal.
type takenOverStore struct {
	*memStore
	out    *fakeOutput
	mu     sync.Mutex
	accept int
	calls  int // output calls at the refusal; -1 before it
}

func (s *takenOverStore) Save(ctx context.Context, k string, cp state.Checkpoint, seen ...state.Seen) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accept == 0 {
		if s.calls < 0 {
			s.out.mu.Lock()
			s.calls = s.out.calls
			s.out.mu.Unlock()
		}
		return fmt.Errorf("save checkpoint %s: %w", k, state.ErrNotOwner)
	}
	s.accept--
	return s.memStore.Save(ctx, k, cp, seen...)
}

// TestTakenOverStreamStandsDown: once a save is refused because another
// replica holds the stream, the stream stops for good: no batch is
// delivered after the refusal (in a partitioned listing neither, though
// other ranges have pages ready), and the log says why.
func TestTakenOverStreamStandsDown(t *testing.T) {
	tests := []struct {
		name        string
		api         sentinelone.Endpoint
		concurrency int
		accept      int // saves accepted before the takeover
	}{
		{"one cursor", sentinelone.Activities, 1, 1},
		{"partitioned listing", sentinelone.Agents, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := quietEmulator(t, 8000)
				s, out, mem := partitionedStream(t, emu, tt.concurrency, 0)
				s.API = tt.api
				store := &takenOverStore{memStore: mem, out: out, accept: tt.accept, calls: -1}
				s.Store = store
				var logs strings.Builder
				var lmu sync.Mutex
				s.Log = slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
					lmu.Lock()
					defer lmu.Unlock()
					return logs.Write(p)
				}), nil))
				c := &Collector{Streams: []*Stream{s}, Log: s.Log}
				ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
				defer cancel()
				err := c.RunStream(ctx, nil, s)
				if !errors.Is(err, state.ErrNotOwner) {
					t.Fatalf("RunStream = %v, want the refusal", err)
				}
				if store.calls < 1 || out.calls != store.calls {
					t.Fatalf("%d batches delivered by the refusal, %d in all: a stream taken over delivered more", store.calls, out.calls)
				}
				lmu.Lock()
				defer lmu.Unlock()
				if !strings.Contains(logs.String(), "stream taken over by another replica") {
					t.Errorf("the stand-down is not logged:\n%s", logs.String())
				}
			})
		})
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
	"s1collector/internal/transform"
)

// memStore is a Store in memory that records every save.
type memStore struct {
	mu    sync.Mutex
	cps   map[string]state.Checkpoint
	saves int
	seen  map[string]int64
}

func newMemStore() *memStore {
	return &memStore{cps: map[string]state.Checkpoint{}, seen: map[string]int64{}}
}

func (m *memStore) Load(_ context.Context, k string) (state.Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cps[k], nil
}

func (m *memStore) Save(_ context.Context, k string, cp state.Checkpoint, seen ...state.Seen) error {
	for _, s := range seen {
		m.MarkSeen(context.Background(), s.Source, s.IDs, s.Generation)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cp.SavedAt = time.Now()
	m.cps[k] = cp
	m.saves++
	return nil
}

func (m *memStore) All(context.Context) (map[string]state.Checkpoint, error) { return m.cps, nil }
func (m *memStore) Delete(_ context.Context, k string) error                 { delete(m.cps, k); return nil }
func (m *memStore) Close() error                                             { return nil }

func (m *memStore) MarkSeen(_ context.Context, _ string, ids []string, gen int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		m.seen[id] = gen
	}
	return nil
}

func (m *memStore) Missing(_ context.Context, _ string, gen int64) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var missing []string
	for id, g := range m.seen {
		if g < gen {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	return missing, nil
}

func (m *memStore) Sweep(_ context.Context, _ string, gen int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, g := range m.seen {
		if g < gen {
			delete(m.seen, id)
		}
	}
	return nil
}

// fakeOutput records batches and fails its first failures deliveries.
type fakeOutput struct {
	name     string
	mu       sync.Mutex
	failures int
	calls    int
	events   []delivery.Event
	onCall   func()
}

func (o *fakeOutput) Name() string                { return o.name }
func (o *fakeOutput) Check(context.Context) error { return nil }
func (o *fakeOutput) Close() error                { return nil }
func (o *fakeOutput) Deliver(_ context.Context, b delivery.Batch) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if o.onCall != nil {
		o.onCall()
	}
	if o.calls <= o.failures {
		return errors.New("HTTP 503 from the peer")
	}
	o.events = append(o.events, b.Events...)
	return nil
}

func newStream(t testing.TB, emu *emulator.Emulator, api sentinelone.Endpoint, store state.Store, outs ...delivery.Output) *Stream {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken,
		RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 1e6, Burst: 100}, "activities": {Rate: 1e6, Burst: 100}, "threats": {Rate: 1e6, Burst: 100}}},
		&http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return &Stream{Source: delivery.SourceInfo{Name: "emu"}, API: api, Lister: c, Store: store, Outputs: outs,
		Profile: transform.ProfileSekoia, Lookback: 72 * time.Hour, FullSync: 24 * time.Hour, Interval: time.Minute,
		Now: emu.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Status: NewStatus("emu", string(api)),
		Delivery: retry.Policy{Initial: time.Second, Max: 10 * time.Second}}
}

func quietEmulator(t *testing.T, agents int) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Agents: agents, HistoryActivities: 2500, HistoryThreats: 10, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	return emu
}

// TestFailingOutputHoldsTheCheckpoint: while one output refuses a batch the
// checkpoint does not move, the output that accepted is not sent the batch
// again, and the failure shows in the status.
func TestFailingOutputHoldsTheCheckpoint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		store := newMemStore()
		good := &fakeOutput{name: "good"}
		var st *Stream
		var sawStatus string
		var bad *fakeOutput
		bad = &fakeOutput{name: "bad", failures: 3, onCall: func() {
			if bad.calls > bad.failures+1 {
				return // later batches
			}
			if store.saves > 0 {
				t.Errorf("checkpoint saved %d times before the failing output accepted", store.saves)
			}
			if bad.calls > 1 {
				sawStatus = strings.Join(mapValues(st.Status.Snapshot().OutputErrors), ";")
			}
		}}
		st = newStream(t, emu, sentinelone.Activities, store, good, bad)
		start := time.Now()
		res, err := st.Cycle(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(good.events) != 2500 || len(bad.events) != 2500 || good.calls != 3 || bad.calls != 6 {
			t.Fatalf("good got %d events in %d calls, bad %d in %d", len(good.events), good.calls, len(bad.events), bad.calls)
		}
		if waited := time.Since(start); waited < 3*time.Second {
			t.Errorf("retried without backoff: %s", waited)
		}
		if !strings.Contains(sawStatus, "HTTP 503 from the peer") {
			t.Errorf("status did not show the output failure: %q", sawStatus)
		}
		if len(st.Status.Snapshot().OutputErrors) != 0 || res.Delivered != 2500 {
			t.Errorf("after recovery: %v, delivered %d", st.Status.Snapshot().OutputErrors, res.Delivered)
		}
	})
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestStopFinishesTheBatchInFlight: a stop request ends the cycle after the
// current batch is delivered and checkpointed; the next cycle resumes there.
func TestStopFinishesTheBatchInFlight(t *testing.T) {
	emu := quietEmulator(t, 10)
	store := newMemStore()
	stop := make(chan struct{})
	out := &fakeOutput{name: "o", onCall: func() { close(stop) }}
	st := newStream(t, emu, sentinelone.Activities, store, out)
	_, err := st.Cycle(t.Context(), stop)
	if !errors.Is(err, ErrStopped) || len(out.events) != 1000 {
		t.Fatalf("err %v, %d events", err, len(out.events))
	}
	cp, _ := store.Load(t.Context(), st.Key())
	if cp.Delivered != 1000 {
		t.Fatalf("checkpoint after stop: %+v", cp)
	}
	out.onCall = nil
	if _, err := st.Cycle(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range out.events {
		seen[e.ID]++
	}
	if len(out.events) != 2500 || len(seen) != 2500 {
		t.Fatalf("resumed: %d events, %d distinct; want 2500 once each", len(out.events), len(seen))
	}
}

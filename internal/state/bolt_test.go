package state

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if cp, err := s.Load(ctx, Key("prod", "agents")); err != nil || !cp.IsZero() {
		t.Fatalf("fresh store: %+v %v", cp, err)
	}
	wm := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	want := Checkpoint{Watermark: wm, Recent: []Stamp{{At: wm, IDs: []string{"1", "2"}}}, Delivered: 42,
		Listing: &Listing{Started: wm, Phase: PhaseRanges, Plan: Plan{Concurrency: 8, PageSize: 1000}, Ranges: []Partition{{Hi: wm}}}}
	if err := s.Save(ctx, Key("prod", "agents"), want); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Load(ctx, Key("prod", "agents"))
	if err != nil || !got.Watermark.Equal(want.Watermark) || got.Keys() != 2 || !slices.Equal(got.Recent[0].IDs, []string{"1", "2"}) ||
		got.Delivered != 42 || got.IsZero() || got.Listing == nil || got.Listing.Plan != want.Listing.Plan || !got.Listing.Ranges[0].Hi.Equal(wm) {
		t.Fatalf("reopened: %+v %v", got, err)
	}
	all, _ := s.All(ctx)
	if len(all) != 1 {
		t.Fatalf("all: %v", all)
	}
	if err := s.Delete(ctx, Key("prod", "agents")); err != nil {
		t.Fatal(err)
	}
	if cp, _ := s.Load(ctx, Key("prod", "agents")); !cp.IsZero() {
		t.Fatal("delete did not reset")
	}
}

func TestSecondProcessIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = OpenBolt(path)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v", err)
	}
}

func TestCorruptFileIsReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a bolt file ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenBolt(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move it aside") {
		t.Fatalf("corrupt file: %v", err)
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "not a bolt file") {
		t.Fatal("the corrupt file was overwritten")
	}
}

// TestOlderCheckpointsAreRead: a checkpoint written before the overlap
// keeps its boundary as the keys at its watermark, complete from there on
// (so the first poll after an upgrade repeats nothing), and a listing it
// had under way is started again (it has no plan).
func TestOlderCheckpointsAreRead(t *testing.T) {
	var cp Checkpoint
	old := `{"watermark":"2026-01-02T03:04:05.000001Z","boundary":["7","8"],"full_sync_started":"2026-01-02T00:00:00Z",` +
		`"partitions":[{"hi":"2026-01-01T00:00:00Z","records":5}],"delivered":9,"saved_at":"2026-01-02T03:04:06Z"}`
	if err := json.Unmarshal([]byte(old), &cp); err != nil {
		t.Fatal(err)
	}
	wm := time.Date(2026, 1, 2, 3, 4, 5, 1000, time.UTC)
	if len(cp.Recent) != 1 || !cp.Recent[0].At.Equal(wm) || !slices.Equal(cp.Recent[0].IDs, []string{"7", "8"}) || cp.Delivered != 9 ||
		!cp.KeysSince.Equal(wm) {
		t.Fatalf("keys: %+v", cp)
	}
	if cp.Listing == nil || cp.Listing.Plan != (Plan{}) || len(cp.Listing.Ranges) != 0 {
		t.Fatalf("listing: %+v", cp.Listing)
	}
}

// TestWritesAreSynced guards the power-loss promise: every commit is
// fsync'd before Save returns, so the store must never run with NoSync.
func TestWritesAreSynced(t *testing.T) {
	s, err := OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.db.NoSync {
		t.Fatal("bbolt runs with NoSync: a power loss could lose acknowledged checkpoints")
	}
}

func TestSeenIDsPackBothKinds(t *testing.T) {
	ids := []string{"1400000000000003700", "18446744073709551615", "0012", "abc", "7"}
	var s idSet
	s.add(packIDs(ids))
	var none idSet
	got := s.minus(&none)
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Fatalf("got %v, want %v", got, ids)
	}
}

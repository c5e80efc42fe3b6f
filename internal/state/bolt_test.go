package state

import (
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
	want := Checkpoint{Watermark: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), Boundary: []string{"1", "2"}, Delivered: 42}
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
	if err != nil || !got.Watermark.Equal(want.Watermark) || !slices.Equal(got.Boundary, want.Boundary) || got.Delivered != 42 || got.IsZero() {
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

func TestSweepFindsDevicesNotSeen(t *testing.T) {
	s, err := OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	s.Save(ctx, "k", Checkpoint{}, Seen{Source: "prod", IDs: []string{"a", "b", "c"}, Generation: 1})
	s.Save(ctx, "k", Checkpoint{}, Seen{Source: "prod", IDs: []string{"a", "c"}, Generation: 2}, Seen{Source: "other", IDs: []string{"x"}, Generation: 1})
	gone, err := s.Sweep(ctx, "prod", 2)
	if err != nil || !slices.Equal(gone, []string{"b"}) {
		t.Fatalf("gone %v %v", gone, err)
	}
	if gone, _ := s.Sweep(ctx, "prod", 2); len(gone) != 0 {
		t.Fatalf("swept twice: %v", gone)
	}
	if gone, _ := s.Sweep(ctx, "never", 5); len(gone) != 0 {
		t.Fatalf("unknown source: %v", gone)
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

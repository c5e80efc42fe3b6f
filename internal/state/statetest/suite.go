// Package statetest is the behaviour every state.Store must have, as one
// suite each implementation runs (the bbolt file and PostgreSQL), so a
// store cannot drift from the others as the Store interface grows.
package statetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"s1collector/internal/state"
)

// Opener prepares an empty place for a store (a file, a database schema)
// and returns a function that opens the store there; it is called again
// after Close to check what survives a restart.
type Opener func(t *testing.T) (open func() (state.Store, error))

// Run runs the suite against the stores an Opener makes.
func Run(t *testing.T, newStore Opener) {
	tests := []struct {
		name string
		test func(t *testing.T, open func() (state.Store, error))
	}{
		{"ZeroWhenAbsent", zeroWhenAbsent},
		{"EveryFieldRoundTrips", everyFieldRoundTrips},
		{"SurvivesReopen", survivesReopen},
		{"SaveReplacesWhole", saveReplacesWhole},
		{"AllAndDelete", allAndDelete},
		{"MissingThenSweep", missingThenSweep},
		{"MissingManyDevices", missingManyDevices},
		{"ConcurrentSaves", concurrentSaves},
	}
	for _, tt := range append(tests, seriesTests...) {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, newStore(t)) })
	}
}

func mustOpen(t *testing.T, open func() (state.Store, error)) state.Store {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func zeroWhenAbsent(t *testing.T, open func() (state.Store, error)) {
	s := mustOpen(t, open)
	cp, err := s.Load(t.Context(), state.Key("prod", "agents"))
	if err != nil || !cp.IsZero() || !reflect.DeepEqual(cp, state.Checkpoint{}) {
		t.Fatalf("fresh store: %+v %v", cp, err)
	}
	all, err := s.All(t.Context())
	if err != nil || len(all) != 0 {
		t.Fatalf("fresh store has checkpoints: %v %v", all, err)
	}
	if err := s.Delete(t.Context(), "never/saved"); err != nil {
		t.Fatalf("deleting what is not there: %v", err)
	}
}

// everyFieldRoundTrips saves a checkpoint with every field set, however
// the struct grows, and wants it back exactly (SavedAt is the store's).
func everyFieldRoundTrips(t *testing.T, open func() (state.Store, error)) {
	s := mustOpen(t, open)
	var want state.Checkpoint
	fill(reflect.ValueOf(&want).Elem(), 1)
	key := state.Key("prod-eu", "agents")
	before := time.Now()
	if err := s.Save(t.Context(), key, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if got.SavedAt.Before(before.Add(-time.Second)) || got.IsZero() {
		t.Errorf("SavedAt %v is not the time of the save", got.SavedAt)
	}
	got.SavedAt, want.SavedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("round trip changed the checkpoint:\n got %s\nwant %s", g, w)
	}
}

func survivesReopen(t *testing.T, open func() (state.Store, error)) {
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	want := state.Checkpoint{Watermark: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), Delivered: 42}
	key := state.Key("prod", "activities")
	if err := s.Save(t.Context(), key, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, open)
	got, err := s.Load(t.Context(), key)
	if err != nil || !got.Watermark.Equal(want.Watermark) || got.Delivered != 42 {
		t.Fatalf("after reopening: %+v %v", got, err)
	}
}

// saveReplacesWhole: a save with every field set, then one with a single
// field: the second is what loads, nothing of the first remains.
func saveReplacesWhole(t *testing.T, open func() (state.Store, error)) {
	s := mustOpen(t, open)
	key := state.Key("prod", "agents")
	var first state.Checkpoint
	fill(reflect.ValueOf(&first).Elem(), 3)
	if err := s.Save(t.Context(), key, first); err != nil {
		t.Fatal(err)
	}
	second := state.Checkpoint{Delivered: 7}
	if err := s.Save(t.Context(), key, second); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Load(t.Context(), key)
	got.SavedAt = time.Time{}
	if !reflect.DeepEqual(got, second) {
		t.Fatalf("second save did not replace the first: %+v", got)
	}
}

func allAndDelete(t *testing.T, open func() (state.Store, error)) {
	s := mustOpen(t, open)
	keys := []string{state.Key("prod-eu", "agents"), state.Key("prod-eu", "threats"), state.Key("lab.1", "activities"), state.Key("é_x", "agents")}
	for i, k := range keys {
		if err := s.Save(t.Context(), k, state.Checkpoint{Delivered: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.All(t.Context())
	if err != nil || len(all) != len(keys) {
		t.Fatalf("all: %v %v", all, err)
	}
	for i, k := range keys {
		if all[k].Delivered != int64(i+1) || all[k].IsZero() {
			t.Errorf("all[%s] = %+v", k, all[k])
		}
	}
	if err := s.Delete(t.Context(), keys[1]); err != nil {
		t.Fatal(err)
	}
	if cp, _ := s.Load(t.Context(), keys[1]); !cp.IsZero() {
		t.Fatalf("deleted checkpoint still loads: %+v", cp)
	}
	if all, _ := s.All(t.Context()); len(all) != len(keys)-1 || !all[keys[0]].SavedAt.After(time.Time{}) {
		t.Fatalf("after delete: %v", all)
	}
}

// missingThenSweep: Missing compares generations without changing them;
// Sweep forgets the older ones. Ids sort as Go compares strings.
func missingThenSweep(t *testing.T, open func() (state.Store, error)) {
	s := mustOpen(t, open)
	ctx := t.Context()
	save := func(seen ...state.Seen) {
		t.Helper()
		if err := s.Save(ctx, "prod/agents", state.Checkpoint{}, seen...); err != nil {
			t.Fatal(err)
		}
	}
	missing := func(source string, gen int64, want ...string) {
		t.Helper()
		got, err := s.Missing(ctx, source, gen)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("missing from %s at %d: %v %v, want %v", source, gen, got, err, want)
		}
	}
	save(state.Seen{Source: "prod", IDs: []string{"1400000000000003700", "b", "0012", "c"}, Generation: 1})
	save(state.Seen{Source: "prod", IDs: []string{"18446744073709551615"}, Generation: 1})
	save(state.Seen{Source: "prod", IDs: []string{"c", "18446744073709551615"}, Generation: 2}, state.Seen{Source: "other", IDs: []string{"x"}, Generation: 1})
	missing("prod", 2, "0012", "1400000000000003700", "b")
	missing("prod", 2, "0012", "1400000000000003700", "b") // unchanged
	missing("never", 5)
	if err := s.Sweep(ctx, "prod", 2); err != nil {
		t.Fatal(err)
	}
	missing("prod", 2)
	save(state.Seen{Source: "prod", IDs: []string{"d"}, Generation: 3})
	missing("prod", 3, "18446744073709551615", "c")
	missing("other", 2, "x")
	if err := s.Sweep(ctx, "never", 5); err != nil {
		t.Fatalf("sweeping an unknown source: %v", err)
	}
}

// missingManyDevices is a listing of 20,000 devices, page by page, then one
// that misses 10 of them.
func missingManyDevices(t *testing.T, open func() (state.Store, error)) {
	s := mustOpen(t, open)
	const n = 20000
	var want []string
	for gen := int64(1); gen <= 2; gen++ {
		for page := 0; page < n/1000; page++ {
			ids := make([]string, 0, 1000)
			for i := page * 1000; i < (page+1)*1000; i++ {
				id := strconv.Itoa(1_400_000_000_000_000_000 + i*7)
				if gen == 2 && i%2000 == 3 {
					want = append(want, id) // 10 devices the second listing misses
					continue
				}
				ids = append(ids, id)
			}
			if err := s.Save(t.Context(), "big/agents", state.Checkpoint{}, state.Seen{Source: "big", IDs: ids, Generation: gen}); err != nil {
				t.Fatal(err)
			}
		}
	}
	slices.Sort(want)
	got, err := s.Missing(t.Context(), "big", 2)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("missing %d %v %v, want %v", len(got), got, err, want)
	}
}

func concurrentSaves(t *testing.T, open func() (state.Store, error)) {
	s := mustOpen(t, open)
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := 1; i <= 20; i++ {
				if err := s.Save(t.Context(), state.Key("src"+strconv.Itoa(g), "activities"), state.Checkpoint{Delivered: int64(i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	all, err := s.All(t.Context())
	if err != nil || len(all) != 6 {
		t.Fatalf("all: %v %v", all, err)
	}
	for k, cp := range all {
		if cp.Delivered != 20 {
			t.Errorf("%s: last save lost: %+v", k, cp)
		}
	}
}

// fill sets every field of v to a value that is not zero, depending on
// seed, so a store that drops or mangles any field fails the round trip.
func fill(v reflect.Value, seed int) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, seed*1000+123000, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), seed*10+i)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fill(s.Index(0), seed+1)
		fill(s.Index(1), seed+2)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, seed)
		fill(e, seed+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), seed)
		v.Set(p)
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", seed))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(seed))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(seed))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(seed) + 0.5)
	}
}

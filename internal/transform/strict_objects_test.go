package transform

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// TestObjectsReadAsMaps: the strict event's unmapped and enrichment data
// are written as encoding/json writes a map of the same members, keys in
// byte order, so a consumer sees the same bytes as when they were maps:
// for every possible key (the structs' tags) and for every event of the
// goldens and of an emulated fleet with odd types.
func TestObjectsReadAsMaps(t *testing.T) {
	for _, v := range []any{agentUnmapped{}, agentState{}} {
		var keys []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			if tag := rt.Field(i).Tag.Get("json"); tag != "" {
				keys = append(keys, strings.Split(tag, ",")[0])
			}
		}
		if !slices.IsSorted(keys) {
			t.Errorf("%s: members declared in the order %v, not as a map's keys are written", rt.Name(), keys)
		}
	}
	records := goldenAndFleet(t, 11, 300, 0.3)
	seen := map[string]int{}
	for i, raw := range records {
		var a sentinelone.Agent
		if err := sentinelone.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		line, _, err := ProfileOCSF.AppendMapped(nil, &a, collected, false)
		if err != nil {
			continue
		}
		var ev struct {
			Unmapped    json.RawMessage
			Enrichments []struct{ Data json.RawMessage }
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatal(err)
		}
		objects := []json.RawMessage{ev.Unmapped}
		for _, e := range ev.Enrichments {
			objects = append(objects, e.Data)
		}
		for _, obj := range objects {
			if obj == nil {
				continue
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(obj, &m); err != nil {
				t.Fatalf("record %d: %s: %v", i, obj, err)
			}
			for k := range m {
				seen[k]++
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(m)
			if want := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(obj, want) {
				t.Fatalf("record %d: written\n%s\nnot as a map is\n%s", i, obj, want)
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d distinct members seen: %v", len(seen), seen)
	}
}

// goldenAndFleet is the golden cases' agents and an emulated fleet of n
// agents (seed), with odd types in the given share of records.
func goldenAndFleet(t *testing.T, seed uint64, n int, odd float64) [][]byte {
	t.Helper()
	var records [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "agent.json"))
	for _, f := range files {
		records = append(records, readFile(t, f))
	}
	emu, err := emulator.New(emulator.Config{Seed: seed, Agents: n, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	emu.SetFault("agents", emulator.Fault{OddTypes: odd})
	for _, raw := range emulatorAgents(t, emu, nil) {
		records = append(records, raw)
	}
	return records
}

package transform

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s1collector/internal/sentinelone"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// collected is the fixed collection time of the ocsf-profile goldens.
var collected = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// TestGolden maps testdata/<case>/agent.json with both profiles and
// compares with sekoia.json and ocsf.json. Every ocsf.json must also pass the
// official JSON Schema and the checks the schema cannot make.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "agent.json"))
	if err != nil || len(dirs) < 20 {
		t.Fatalf("found %d golden cases (%v)", len(dirs), err)
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var a sentinelone.Agent
			if err := sentinelone.Unmarshal(readFile(t, in), &a); err != nil {
				t.Fatal(err)
			}
			sek, _, err := Sekoia(&a)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "sekoia.json"), sek)
			strict, _, err := Strict(&a, collected)
			if err != nil {
				t.Fatal(err)
			}
			got := golden(t, filepath.Join(dir, "ocsf.json"), strict)
			checkOCSF(t, got)
		})
	}
}

// golden compares v, indented, with the file (or rewrites it with -update)
// and returns the JSON.
func golden(t *testing.T, path string, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := readFile(t, path)
	if !bytes.Equal(got, want) {
		out := filepath.Join(t.ArtifactDir(), filepath.Base(path))
		_ = os.WriteFile(out, got, 0o644)
		t.Errorf("%s differs (got written to %s; run with -update to accept):\n%s", path, out, firstDiff(want, got))
	}
	return got
}

func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSeedExamples pins what the mapping contract says of the seed's own
// examples, whose printed epochs are wrong: the rule wins.
func TestSeedExamples(t *testing.T) {
	var a sentinelone.Agent
	if err := sentinelone.Unmarshal(readFile(t, "testdata/seed-active/agent.json"), &a); err != nil {
		t.Fatal(err)
	}
	ev, problems, err := Sekoia(&a)
	if err != nil || len(problems) > 0 {
		t.Fatalf("problems: %v %v", problems, err)
	}
	d := ev.Device
	checks := []struct {
		name      string
		got, want any
	}{
		{"time", *ev.Time, int64(1685872800)},
		{"created_time", *d.CreatedTime, int64(1685872800)},
		{"updated_time", *d.UpdatedTime, int64(1756200600)},
		{"last_seen_time", *d.LastSeenTime, int64(1756200600)},
		{"enrichments[0].data.last_seen", *ev.Enrichments[0].Data.LastSeen, int64(1756200600)},
		{"last_incident_time", d.LastIncidentTime == nil, true},
		{"ip", *d.IP, "192.168.1.100"},
		{"os.type", d.OS.Type, "Windows"},
		{"os.name", *d.OS.Name, "windows"},
		{"os.version", *d.OS.Version, "Windows 10 Pro"},
		{"manufacturer", *d.Manufacturer, "Dell"},
		{"type", *d.Type, "computer"},
		{"type_uid", ev.TypeUID, 500102},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

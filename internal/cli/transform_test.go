package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot("test", strings.NewReader(stdin), &out, &errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

func TestTransformReportsBadRecordsAndGoesOn(t *testing.T) {
	in := `{"data":[{"id":"1","computerName":"a","cpuCount":{}}, 5, {"computerName":"x"}, {"id":"4","createdAt":"2025-01-01T00:00:00Z"}],"pagination":{"nextCursor":null}}`
	out, errOut, err := runCLI(t, in, "transform", "--profile", "sekoia")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != exitSkipped {
		t.Fatalf("err = %v, want exit %d", err, exitSkipped)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d events written, want 2:\n%s", len(lines), out)
	}
	var ev struct {
		Time   int64 `json:"time"`
		Device struct {
			UID string `json:"uid"`
		} `json:"device"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &ev); err != nil || ev.Device.UID != "4" || ev.Time != 1735689600 {
		t.Fatalf("second event %s (%v)", lines[1], err)
	}
	for _, want := range []string{
		"record 0 (id 1): cpuCount: value of an unexpected type, ignored",
		"record 1: skipped: not a JSON object: 5",
		"record 2: skipped: id: missing or empty",
		"transform: 2 converted (agents, sekoia), 2 skipped, 1 with unreadable fields",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestTransformFilesAndCleanExit(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "agents.json"), filepath.Join(dir, "devices.ndjson")
	src, err := os.ReadFile("../transform/testdata/real-2025-cribl/agent.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, append(append([]byte("["), src...), ']'), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := runCLI(t, "", "transform", "--profile", "ocsf", "--in", in, "--out", out, "--collected-at", "2026-01-02T03:04:05Z")
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("../transform/testdata/real-2025-cribl/ocsf.json")
	var g, w any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil {
		t.Fatalf("output not one JSON event: %s", got)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("transform output differs from the golden:\n%s", got)
	}
}

func TestTransformFailsOnCutInput(t *testing.T) {
	out, errOut, err := runCLI(t, `[{"id":"1"},{"id":"2"`, "transform")
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("err = %v", err)
	}
	if strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "1 converted") {
		t.Fatalf("records before the cut must still be written: %q %q", out, errOut)
	}
}

func TestTransformRejectsUnknownProfile(t *testing.T) {
	_, _, err := runCLI(t, "", "transform", "--profile", "csv")
	if err == nil || !strings.Contains(err.Error(), `profile "csv" is not one of sekoia, ocsf, raw`) {
		t.Fatalf("err = %v", err)
	}
}

// TestTransformStreams converts each stream's saved console JSON, as the
// API answers it, into the goldens of internal/transform.
func TestTransformStreams(t *testing.T) {
	node := func(path string) string { b, _ := os.ReadFile(path); return string(b) }
	cases := []struct {
		stream, in, golden string
	}{
		{"threats", `{"data":[` + node("../transform/testdata/threat-elastic/threat.json") + `],"pagination":{"nextCursor":null}}`, "threat-elastic"},
		{"alerts", `{"data":{"alerts":{"totalCount":1,"pageInfo":{"hasNextPage":false},"edges":[{"cursor":"c1","node":` +
			node("../transform/testdata/alert-elastic-cws/alert.json") + `}]}}}`, "alert-elastic-cws"},
		{"cloud_detection_alerts", `{"data":[` + node("../transform/testdata/star-alert-elastic/star_alert.json") + `],"pagination":{}}`, "star-alert-elastic"},
		{"activities", node("../transform/testdata/activity-elastic-threat/activity.json"), "activity-elastic-threat"},
	}
	for _, c := range cases {
		t.Run(c.stream, func(t *testing.T) {
			out, errOut, err := runCLI(t, c.in, "transform", "--stream", c.stream, "--profile", "ocsf")
			if _, masked := os.Stat("../transform/testdata/" + c.golden + "/problems.txt"); masked == nil {
				var ee exitError
				if !errors.As(err, &ee) || ee.code != exitSkipped || !strings.Contains(errOut, "kept in unmapped.unreadable") {
					t.Fatalf("the fixture's masked values must be reported: %v: %s", err, errOut)
				}
			} else if err != nil {
				t.Fatalf("%v: %s", err, errOut)
			}
			var g, w any
			want, _ := os.ReadFile("../transform/testdata/" + c.golden + "/ocsf.json")
			if json.Unmarshal([]byte(out), &g) != nil || json.Unmarshal(want, &w) != nil {
				t.Fatalf("output is not one JSON event: %s", out)
			}
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			if !bytes.Equal(gb, wb) {
				t.Errorf("output differs from the golden:\n%s", out)
			}
			if !strings.Contains(errOut, "1 converted ("+c.stream+", ocsf)") {
				t.Errorf("summary: %s", errOut)
			}
			raw, _, err := runCLI(t, c.in, "transform", "--stream", c.stream)
			if err != nil || strings.Count(raw, "\n") != 1 {
				t.Errorf("default profile keeps the console's JSON: %v %q", err, raw)
			}
		})
	}
	if _, _, err := runCLI(t, "", "transform", "--stream", "groups"); err == nil || !strings.Contains(err.Error(), `stream "groups" is not one of agents, activities, threats, alerts, cloud_detection_alerts`) {
		t.Errorf("unknown stream: %v", err)
	}
}

// TestTransformSavedAnswers: what a saved GraphQL answer, or an NDJSON
// file, holds besides good records is reported, the good records are
// converted, and the exit status says so.
func TestTransformSavedAnswers(t *testing.T) {
	node := func(id string) string {
		return `{"id":"` + id + `","name":"n","severity":"HIGH","status":"NEW","createdAt":"2026-11-30T10:00:00.000Z","updatedAt":"2026-11-30T10:00:00.412Z"}`
	}
	answer := func(errs string, nodes ...string) string {
		edges := make([]string, len(nodes))
		for i, n := range nodes {
			edges[i] = `{"cursor":"c` + strconv.Itoa(i) + `","node":` + n + `}`
		}
		return `{"data":{"alerts":{"totalCount":9,"pageInfo":{"hasNextPage":false},"edges":[` + strings.Join(edges, ",") + `]}}` + errs + `}`
	}
	threat, _ := os.ReadFile("../transform/testdata/threat-elastic/threat.json")
	cases := []struct {
		name, stream, in string
		events           int
		exit             int // 0, exitSkipped, or 1 for an input that cannot be read to its end
		say              []string
	}{
		{"errors only", "alerts", `{"data":null,"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`, 0, exitSkipped,
			[]string{"the saved answer reports errors: Internal server error (code INTERNAL_SERVER_ERROR)", "1 answer(s) reporting errors"}},
		{"partial answer", "alerts", answer(`,"errors":[{"message":"Cannot return null for non-nullable field Alert.assets","path":["alerts","edges",1,"node"]}]`, node("a1"), "null"),
			1, exitSkipped, []string{"at alerts.edges.1.node", "record 1: skipped: not a JSON object: null"}},
		{"bad NDJSON line", "alerts", node("a1") + "\n" + node("a2")[:40] + "\n" + node("a3") + "\n", 2, exitSkipped,
			[]string{"record 1: skipped: not valid JSON (near byte ", "2 converted (alerts, ocsf), 1 skipped"}},
		{"answer cut short", "alerts", answer("", node("a1"), node("a2"))[:260], 1, 1, []string{"1 converted", "invalid JSON at record 1 "}},
		{"a threat fed as alerts", "alerts", string(threat), 0, exitSkipped,
			[]string{"record 0 (id 1234567890123456789): skipped: this looks like a record of threats, not of alerts: is --stream right?"}},
		{"an answer fed as threats", "threats", answer("", node("a1")), 0, 1, []string{"read it with --stream alerts"}},
		{"a page of nodes", "alerts", `{"data":[` + node("a1") + `,` + node("a2") + `]}`, 2, 0, []string{"2 converted"}},
		{"a node without id", "alerts", `[{"name":"x"}]`, 0, exitSkipped, []string{"id: missing or empty; the alert cannot be identified"}},
		{"invalid UTF-8", "alerts", strings.Replace(node("a1"), `"n"`, "\"n\xff\"", 1), 1, exitSkipped, []string{"not UTF-8"}},
		{"a time reported once", "alerts", strings.Replace(node("a1"), "2026-11-30T10:00:00.412Z", "yesterday", 1), 1, exitSkipped,
			[]string{`record 0 (id a1): updatedAt: "yesterday" is not a time; kept in unmapped.unreadable`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCommandIn(t, c.in, "transform", "--stream", c.stream, "--profile", "ocsf")
			if code != c.exit {
				t.Errorf("exit %d, want %d: %s", code, c.exit, errOut)
			}
			if n := strings.Count(out, "\n"); n != c.events {
				t.Errorf("%d events, want %d:\n%s", n, c.events, out)
			}
			for _, w := range c.say {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if strings.Contains(errOut, "record -1") {
				t.Errorf("a message names no record:\n%s", errOut)
			}
			if strings.Count(errOut, "is not a time") > 1 {
				t.Errorf("a field reported twice:\n%s", errOut)
			}
		})
	}
}

package e2e

import (
	"strings"
	"testing"
	"time"

	"s1collector/internal/emulator"
)

var streams = []string{"agents", "activities", "threats"}

// TestFirstSyncThenIncrements: 20,000 agents and the events arrive complete;
// after the console moves on, the next "once" brings exactly what changed.
func TestFirstSyncThenIncrements(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 2, Agents: 20000, HistoryActivities: 3000, HistoryThreats: 200,
		AgentUpdatesPerMinute: 30, ActivitiesPerMinute: 20, ThreatsPerHour: 60, ThreatUpdatesPerHour: 120, NewAgentsPerHour: 60})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	summary, stderr, code := w.run(nil, "once")
	if code != 0 {
		t.Fatalf("once exited %d:\n%s", code, stderr)
	}
	a, acts, th := c.Counts()
	want := map[string]int{"agents": a, "activities": acts, "threats": th}
	before := map[string]int{}
	for _, s := range streams {
		recs := w.records("emu", s)
		got := ids(s, recs)
		before[s] = len(recs)
		if len(got) != want[s] || before[s] != want[s] {
			t.Fatalf("%s: %d distinct in %d lines, console has %d", s, len(got), before[s], want[s])
		}
	}
	for _, line := range []string{"✓ emu/agents: 20,000 delivered (full listing)", "✓ emu/activities: 3,000 delivered", "✓ emu/threats: 200 delivered"} {
		if !strings.Contains(summary, line) { // on standard output, as demo's
			t.Errorf("summary lacks %q:\n%s", line, summary)
		}
	}

	since := c.Now()
	c.Advance(10 * time.Minute)
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("second once exited %d:\n%s", code, stderr)
	}
	changed := map[string]map[string]bool{}
	for _, s := range []string{"agents", "threats"} {
		changed[s] = map[string]bool{}
		for _, r := range c.Snapshot(s) {
			if !r.UpdatedAt.Before(since) {
				changed[s][r.ID] = true
			}
		}
	}
	_, acts2, _ := c.Counts()
	for _, s := range streams {
		recs := w.recordsFrom("emu", s, before[s])
		got := ids(s, recs)
		wantN := len(changed[s])
		if s == "activities" {
			wantN = acts2 - acts
		}
		if len(recs) != wantN || len(got) != wantN {
			t.Errorf("%s: second cycle delivered %d lines (%d distinct), want exactly %d new or changed", s, len(recs), len(got), wantN)
		}
		for id := range changed[s] {
			if s != "activities" && got[id] != 1 {
				t.Errorf("%s: changed record %s delivered %d times", s, id, got[id])
			}
		}
	}
}

func TestWrongTokenSaysWhatToDo(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 10})
	w := newWorkdir(t, collectorConfig(c.URL, "not-the-token", ""))
	_, stderr, code := w.run(nil, "once")
	if code == 0 {
		t.Fatal("once succeeded with a wrong token")
	}
	for _, want := range []string{"HTTP 401 Authentication Failed (code 4010010)", "the API token is wrong, revoked or expired: generate a new one"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "not-the-token") {
		t.Error("the token appears in the output")
	}
}

func TestFiveMistakesReportedTogether(t *testing.T) {
	w := newWorkdir(t, `sources:
  - name: prod
    base_url: http://tenant.sentinelone.net
    token: ${S1_TOKEN}
    supported_apis: [agents, groups]
    interval: 5 minutes
    outputs: [nowhere]
    tiemout: 30s
outputs:
  - name: local
    type: file
`)
	_, stderr, code := w.run([]string{"S1_TOKEN=abc"}, "validate")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"s1collector.yaml has 6 problem(s):",
		"line 3: sources[0].base_url:",
		"line 5: sources[0].supported_apis[1]:",
		"line 6: sources[0].interval:",
		"line 7: sources[0].outputs[0]:",
		"line 8: sources[0].tiemout: unknown key (did you mean \"timeout\"?)",
		"line 10: outputs[0].file: is required for a file output",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("validate output lacks %q:\n%s", want, stderr)
		}
	}
}

// TestSumoSourceFromTheSeed: the seed's JSON source definition, as Sumo
// Logic users have it, runs against the emulator.
func TestSumoSourceFromTheSeed(t *testing.T) {
	// History within the default 24h look-back of a Sumo source.
	c := startConsole(t, emulator.Config{Agents: 300, HistoryActivities: 50, HistoryThreats: 5, History: 12 * time.Hour})
	w := newWorkdir(t, `state: {path: state.db}
sumo_sources:
  - path: sumo/
    outputs: [local]
outputs:
  - {name: local, type: file, file: {dir: out}}
`)
	if err := mkdir(w, "sumo"); err != nil {
		t.Fatal(err)
	}
	w.write("sumo/sentinelone.json", `{
"api.version":"v1",
"source":{
"config":{
"name":"SentinelOne",
"supported_apis":["activities","agents","threats"],
"api_secret":"${S1_API_TOKEN}",
"base_url":"`+c.URL+`/",
"fields":{
"_siemForward":true
}
},
"schemaRef":{
"type":"SentinelOne Mgmt API"
},
"state":{
"state":"Collecting"
},
"sourceType":"Universal"
}
}`)
	_, stderr, code := w.run([]string{"S1_API_TOKEN=" + emulator.DefaultToken}, "once")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	agents := w.records("SentinelOne", "agents")
	acts := w.records("SentinelOne", "activities")
	if len(agents) != 300 || len(acts) != 50 {
		t.Fatalf("%d agents, %d activities", len(agents), len(acts))
	}
	// Cloud SIEM's fields are for Sumo Logic outputs (TestSumoCloudSIEM);
	// every output carries the source.
	if agents[0]["_source"] != "SentinelOne" || agents[0]["_siemEventID"] != nil || acts[0]["_siemEventID"] != nil {
		t.Errorf("agent metadata: %v", agents[0])
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/ocsf/ocsfcheck"
)

// TestEveryStreamAsOCSF: with profile ocsf, one cycle of agents,
// activities, threats and alerts delivers every record of each stream,
// each event strict OCSF 1.6.0 of its class, the source's metadata under
// unmapped.
func TestEveryStreamAsOCSF(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 3, Agents: 600, HistoryActivities: 600, HistoryThreats: 80, HistoryAlerts: 150})
	c.Advance(30 * time.Minute) // threats and alerts at every stage of their life
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    profile: ocsf\n    supported_apis: [agents, activities, threats, alerts]\n"))
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("once exited %d:\n%s", code, stderr)
	}
	agents, acts, threats := c.Counts()
	want := map[string]int{"agents": agents, "activities": acts, "threats": threats, "alerts": len(c.Alerts())}
	classes := map[string][]float64{"agents": {5001}, "threats": {2004}, "alerts": {2004}, "activities": {0, 2004, 3001, 3002, 3004, 6007}}
	for stream, n := range want {
		recs := w.records("emu", stream)
		uids := map[string]bool{}
		for _, ev := range recs {
			b, _ := json.Marshal(ev)
			if err := ocsfcheck.Check(b); err != nil {
				t.Fatalf("%s event is not strict OCSF 1.6.0:\n%v\n%s", stream, err, b)
			}
			if !containsNumber(classes[stream], ev["class_uid"]) {
				t.Fatalf("%s event of class %v", stream, ev["class_uid"])
			}
			if ev["unmapped"].(map[string]any)["_source"] != "emu" {
				t.Fatalf("%s event without its source under unmapped", stream)
			}
			uids[recordUID(stream, ev)] = true
		}
		if len(recs) != n || len(uids) != n {
			t.Errorf("%s: %d events (%d distinct), the console has %d", stream, len(recs), len(uids), n)
		}
	}
}

func containsNumber(list []float64, v any) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

// recordUID is the console record an OCSF event stands for.
func recordUID(stream string, ev map[string]any) string {
	switch stream {
	case "agents":
		return ev["device"].(map[string]any)["uid"].(string)
	case "threats", "alerts":
		return ev["finding_info"].(map[string]any)["uid"].(string)
	}
	return fmt.Sprint(ev["metadata"].(map[string]any)["uid"])
}

// TestAlertsOverTenMinutes: ten emulated minutes of new and updated
// alerts, a quarter of their versions indexed 1–4 minutes late (the console
// lists the previous version until then), collected by once every minute
// with default settings: every version the console showed at a poll is
// delivered exactly once.
func TestAlertsOverTenMinutes(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 8, Agents: 50, HistoryAlerts: 60, AlertsPerHour: 180, AlertUpdatesPerHour: 240, Realism: emulator.Realism{LateShare: 0.25}})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    supported_apis: [alerts]\n"))
	shown := map[string]bool{}
	late := 0 // versions that appeared older than the poll before
	var before time.Time
	for minute := 0; minute <= 10; minute++ {
		for _, r := range c.Alerts() {
			k := fmt.Sprintf("%s@%s", r.ID, r.UpdatedAt.Format("2006-01-02T15:04:05.000Z"))
			if !shown[k] && minute > 0 && r.UpdatedAt.Before(before) {
				late++
			}
			shown[k] = true
		}
		before = c.Now()
		if _, stderr, code := w.run(nil, "once"); code != 0 {
			t.Fatalf("once at minute %d exited %d:\n%s", minute, code, stderr)
		}
		c.Advance(time.Minute)
	}
	delivered := map[string]int{}
	versions := map[any]int{}
	for _, ev := range w.records("emu", "alerts") {
		delivered[fmt.Sprintf("%s@%s", ev["id"], ev["updatedAt"])]++
		versions[ev["id"]]++
	}
	for k, n := range delivered {
		if n != 1 || !shown[k] {
			t.Errorf("version %s delivered %d times (shown by the console: %v)", k, n, shown[k])
		}
	}
	for k := range shown {
		if delivered[k] == 0 {
			t.Errorf("version %s was never delivered", k)
		}
	}
	updated := 0
	for _, n := range versions {
		updated += n - 1
	}
	if len(shown) < 120 || updated < 30 || late < 3 {
		t.Fatalf("scenario too quiet: %d versions, %d of them updates, %d indexed late", len(shown), updated, late)
	}
	t.Logf("%d versions, %d updates, %d indexed late", len(shown), updated, late)
}

// TestAlertsAPIBehaviours: what the alerts stream does when the console's
// GraphQL API refuses Bearer, the token's role cannot read alerts, the
// API answers GraphQL errors, or its schema lacks a field.
func TestAlertsAPIBehaviours(t *testing.T) {
	cases := []struct {
		name  string
		cfg   emulator.Config
		fault emulator.Fault
		code  int
		lines []string // in the output: the summary (standard output) and JSON logs (standard error)
		once  []string // appearing exactly once
	}{
		{"Bearer refused: ApiToken once", emulator.Config{GraphQLAuth: "apitoken"}, emulator.Fault{}, 0,
			[]string{"✓ emu/alerts: 40 delivered", "✓ emu/threats"}, []string{"using ApiToken from now on"}},
		{"role without alerts", emulator.Config{Tokens: []emulator.Token{{Value: emulator.DefaultToken, Deny: []string{"alerts"}}}}, emulator.Fault{}, 1,
			[]string{`✗ emu/alerts: list alerts page 1: alerts: HTTP 403`, `the token's role lacks the \"Alerts.view\" permission`, "✓ emu/threats"}, nil},
		{"GraphQL errors in a 200", emulator.Config{}, emulator.Fault{GraphQLErrors: 0.4}, 0,
			[]string{"✓ emu/alerts: 40 delivered"}, nil},
		{"field the console lacks", emulator.Config{GraphQLRejects: []string{"dataSources"}}, emulator.Fault{}, 0,
			[]string{"✓ emu/alerts: 40 delivered"}, []string{`"field":"dataSources"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Seed, tc.cfg.Agents, tc.cfg.HistoryAlerts, tc.cfg.HistoryThreats = 4, 20, 40, 10
			c := startConsole(t, tc.cfg)
			c.SetFault("alerts", tc.fault)
			w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    supported_apis: [threats, alerts]\n"))
			summary, stderr, code := w.run(nil, "once")
			if code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s%s", code, tc.code, summary, stderr)
			}
			for _, l := range tc.lines {
				if !strings.Contains(summary+stderr, l) {
					t.Errorf("output lacks %q:\n%s%s", l, summary, stderr)
				}
			}
			for _, l := range tc.once {
				if n := strings.Count(stderr, l); n != 1 {
					t.Errorf("%q appears %d times, want once:\n%s", l, n, stderr)
				}
			}
			if tc.code == 0 && len(w.records("emu", "alerts")) != 40 {
				t.Errorf("%d alerts delivered, want 40", len(w.records("emu", "alerts")))
			}
		})
	}
}

// TestLegacyAlertsWithoutCustomRules: on a scope without Custom Rules the
// opt-in cloud_detection_alerts stream is disabled with one warning, and
// the other streams are unaffected; where Custom Rules exist, every STAR
// alert is delivered.
func TestLegacyAlertsWithoutCustomRules(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 5, Agents: 20, HistoryActivities: 300, NoCustomRules: true})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    supported_apis: [activities, cloud_detection_alerts]\n"))
	summary, stderr, code := w.run(nil, "once")
	if code != 0 {
		t.Fatalf("once exited %d:\n%s%s", code, summary, stderr)
	}
	for _, l := range []string{"! emu/cloud_detection_alerts: disabled", "Custom Rules", "✓ emu/activities: 300 delivered"} {
		if !strings.Contains(summary, l) { // on standard output, as demo's
			t.Errorf("summary lacks %q:\n%s", l, summary)
		}
	}
	if n := strings.Count(stderr, `"level":"WARN"`); n != 1 || strings.Contains(stderr, `"level":"ERROR"`) {
		t.Errorf("want exactly one warning and no error:\n%s", stderr)
	}
	if got := c.Requests("cloud-detection/alerts"); got != 1 {
		t.Errorf("%d requests to the disabled endpoint", got)
	}

	on := startConsole(t, emulator.Config{Seed: 5, Agents: 20, HistoryStarAlerts: 30})
	w2 := newWorkdir(t, collectorConfig(on.URL, emulator.DefaultToken, "    supported_apis: [cloud_detection_alerts]\n"))
	if summary, stderr, code := w2.run(nil, "once"); code != 0 || !strings.Contains(summary, "✓ emu/cloud_detection_alerts: 30 delivered") {
		t.Fatalf("exit %d:\n%s%s", code, summary, stderr)
	}
	if got := len(w2.records("emu", "cloud_detection_alerts")); got != len(on.StarAlerts()) {
		t.Errorf("%d STAR alerts delivered, the console has %d", got, len(on.StarAlerts()))
	}
}

// TestAlertsScopedToSites: a source limited by site_ids collects the
// alerts of those sites only, and test says so; on a console whose alerts
// API takes no scope, test fails the alerts check with what to do, as the
// stream would fail.
func TestAlertsScopedToSites(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 4, Agents: 30, Sites: 3, HistoryAlerts: 40})
	all := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    supported_apis: [alerts]\n"))
	if summary, stderr, code := all.run(nil, "once"); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, summary, stderr)
	}
	bySite := map[string]int{}
	var site string
	for _, a := range all.records("emu", "alerts") {
		site = a["realTime"].(map[string]any)["scope"].(map[string]any)["site"].(map[string]any)["id"].(string)
		bySite[site]++
	}
	if len(bySite) < 2 {
		t.Fatalf("alerts of %d site(s): the scenario does not tell sites apart", len(bySite))
	}
	scoped := "    supported_apis: [alerts]\n    site_ids: [\"" + site + "\"]\n"
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, scoped))
	if out, stderr, code := w.run(nil, "test"); code != 0 || !strings.Contains(out, fmt.Sprintf("✓ emu: alerts readable (%d records)", bySite[site])) {
		t.Fatalf("test exit %d:\n%s%s", code, out, stderr)
	}
	if summary, stderr, code := w.run(nil, "once"); code != 0 || len(w.records("emu", "alerts")) != bySite[site] {
		t.Fatalf("exit %d, %d alerts delivered, want the site's %d:\n%s%s", code, len(w.records("emu", "alerts")), bySite[site], summary, stderr)
	}

	old := startConsole(t, emulator.Config{Seed: 4, Agents: 30, Sites: 3, HistoryAlerts: 40, GraphQLRejects: []string{"scope"}})
	w = newWorkdir(t, collectorConfig(old.URL, emulator.DefaultToken, scoped))
	out, stderr, code := w.run(nil, "test")
	if code != 1 || !strings.Contains(out, "✗ emu: alerts not readable") || !strings.Contains(out, "remove site_ids and account_ids") {
		t.Fatalf("test on a console without scope: exit %d:\n%s%s", code, out, stderr)
	}
}

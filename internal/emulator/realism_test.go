package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestBulkSharesOneTimestampAcrossPages: a bulk action gives 1,500 agents
// and 1,500 activities one timestamp; a walk by time sees each once across
// the page boundary.
func TestBulkSharesOneTimestampAcrossPages(t *testing.T) {
	e := newTest(t, Config{Seed: 9, Agents: 3000, HistoryActivities: 10, AgentUpdatesPerMinute: 1e-9, ActivitiesPerMinute: 1e-9,
		Realism: Realism{BulkEvery: 10 * time.Minute}})
	e.Advance(11 * time.Minute)
	at := stamp(micros(e.cfg.Start.Add(10 * time.Minute)))
	for _, c := range []struct{ endpoint, field string }{{"agents", "updatedAt"}, {"activities", "createdAt"}} {
		got := walkAll(t, e, c.endpoint, url.Values{"limit": {"1000"}, "sortBy": {c.field}, c.field + "__gte": {at}, c.field + "__lte": {at}})
		ids := map[string]bool{}
		for _, r := range got {
			if r[c.field] != at {
				t.Fatalf("%s: %s %v, want the bulk's %s", c.endpoint, c.field, r[c.field], at)
			}
			ids[r["id"].(string)] = true
		}
		if len(got) != 1500 || len(ids) != 1500 {
			t.Fatalf("%s: %d records (%d distinct) at the bulk's instant, want 1500", c.endpoint, len(got), len(ids))
		}
	}
}

// TestLateRecordsAppearLater: a share of activities and threats is listed
// only 1–4 minutes after its createdAt; counts and lists agree.
func TestLateRecordsAppearLater(t *testing.T) {
	e := newTest(t, Config{Seed: 3, Agents: 10, HistoryActivities: 10, HistoryThreats: 1, ActivitiesPerMinute: 100, ThreatsPerHour: 600,
		Realism: Realism{LateShare: 0.1}})
	e.Advance(10 * time.Minute)
	q := url.Values{"limit": {"1000"}, "sortBy": {"createdAt"}, "createdAt__gte": {stamp(micros(e.Now().Add(-4 * time.Minute)))}}
	early := len(walkAll(t, e, "activities", q))
	e.Advance(5 * time.Minute)
	q.Set("createdAt__lt", stamp(micros(e.Now().Add(-5*time.Minute))))
	later := len(walkAll(t, e, "activities", q))
	if early >= later || float64(later-early) > 0.2*float64(later) {
		t.Fatalf("activities of the last 4 minutes: %d listed, then %d once late ones were indexed", early, later)
	}
	for _, ep := range []string{"activities", "threats"} {
		_, acts, threats := e.Counts()
		total := map[string]int{"activities": acts, "threats": threats}[ep]
		listed := len(walkAll(t, e, ep, url.Values{"limit": {"1000"}}))
		if listed >= total || listed < total*8/10 {
			t.Errorf("%s: %d listed of %d created; want the late share of the last 4 minutes missing", ep, listed, total)
		}
	}
}

// TestRemovedAgentsAreGoneDecommissionedStay: removed agents leave lists,
// counts and lookups by id; decommissioned ones stay, flagged.
func TestRemovedAgentsAreGoneDecommissionedStay(t *testing.T) {
	e := newTest(t, Config{Seed: 5, Agents: 500, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
		Realism: Realism{AgentRemovalsPerHour: 60, DecommissionsPerHour: 60}})
	e.Advance(10 * time.Minute)
	removed := append(e.Removed(), e.RemoveAgents(5)...)
	if len(removed) != 15 {
		t.Fatalf("%d removed, want 10 by rate and 5 by hand", len(removed))
	}
	if a, _, _ := e.Counts(); a != 485 || len(e.Snapshot("agents")) != 485 {
		t.Fatalf("agents = %d, snapshot %d, want 485", a, len(e.Snapshot("agents")))
	}
	if got := walkAll(t, e, "agents", url.Values{"limit": {"1000"}}); len(got) != 485 {
		t.Fatalf("listing shows %d agents", len(got))
	}
	lookup := walkAll(t, e, "agents", url.Values{"ids": {strings.Join(removed, ",")}, "isDecommissioned": {"true,false"}, "isUninstalled": {"true,false"}})
	if len(lookup) != 0 {
		t.Fatalf("lookup by id returns %d removed agents", len(lookup))
	}
	decom := walkAll(t, e, "agents", url.Values{"limit": {"1000"}, "isDecommissioned": {"true"},
		"updatedAt__gte": {stamp(micros(e.cfg.Start))}})
	if len(decom) < 8 {
		t.Fatalf("%d decommissioned agents updated since start, want the 10 decommissioned (less those removed)", len(decom))
	}
	status, body := get(t, e, DefaultToken, "agents", url.Values{"ids": {strings.Repeat("1400000000000000001,", 5000) + "1"}})
	if status != http.StatusBadRequest || !strings.Contains(body["errors"].([]any)[0].(map[string]any)["detail"].(string), "ids") {
		t.Fatalf("5001 ids: %d %v", status, body)
	}
}

// TestContainerHostsHaveTensOfInterfaces: as on real consoles, some agents
// (Kubernetes nodes, container hosts) report tens of interfaces and
// addresses, so mapping code meets long lists, not only one to three.
func TestContainerHostsHaveTensOfInterfaces(t *testing.T) {
	e := newTest(t, Config{Seed: 11, Agents: 3000})
	most, hosts := 0, 0
	for _, a := range walkAll(t, e, "agents", url.Values{"limit": {"1000"}}) {
		nics, _ := a["networkInterfaces"].([]any)
		addrs := 0
		for _, n := range nics {
			v4, _ := n.(map[string]any)["inet"].([]any) // some consoles send null
			v6, _ := n.(map[string]any)["inet6"].([]any)
			addrs += len(v4) + len(v6)
		}
		if len(nics) >= 10 && addrs >= 12 {
			hosts++
		}
		most = max(most, len(nics))
	}
	if hosts < 10 || most < 40 {
		t.Fatalf("%d of 3000 agents have ten or more interfaces (most: %d); want at least 10 such hosts and one with 40", hosts, most)
	}
}

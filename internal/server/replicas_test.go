package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/emulator"
	"s1collector/internal/lease"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

type fakeCluster struct{ snap lease.Snapshot }

func (f fakeCluster) Snapshot() lease.Snapshot { return f.snap }

// TestReplicaStatus: with replicas sharing the streams, the status shows
// them and who holds each stream; a stream held elsewhere never makes this
// replica unready (one holding nothing is ready), its own streams do, and
// so does an unreachable PostgreSQL. Metrics carry the replica.
func TestReplicaStatus(t *testing.T) {
	me, other := lease.Replica{ID: "r1-aaaaaa", Host: "h1"}, lease.Replica{ID: "r2-bbbbbb", Host: "h2"}
	tests := []struct {
		name      string
		owners    map[string]string
		storeErr  string
		ready     bool
		reason    string
		wantState string // of c/agents
	}{
		{"holds nothing", map[string]string{"c/agents": other.ID, "c/threats": other.ID}, "", true, "", "elsewhere"},
		{"holds a stream that never ran", map[string]string{"c/agents": me.ID, "c/threats": ""}, "", false, "c/agents: no cycle started within its first interval", "waiting"},
		{"PostgreSQL unreachable", map[string]string{"c/agents": other.ID, "c/threats": other.ID}, "dial tcp: connection refused", false,
			"shared state (PostgreSQL) unreachable: dial tcp: connection refused", "elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var streams []*pipeline.Stream
			for _, api := range []sentinelone.Endpoint{sentinelone.Agents, sentinelone.Threats} {
				streams = append(streams, &pipeline.Stream{Source: delivery.SourceInfo{Name: "c"}, API: api, Interval: time.Nanosecond,
					Status: pipeline.NewStatus("c", string(api))})
			}
			snap := lease.Snapshot{Replica: me, Replicas: []lease.Replica{me, other}, Owners: tt.owners, StoreError: tt.storeErr}
			if tt.storeErr != "" {
				snap.StoreErrorSince = time.Now().Add(-time.Minute)
			}
			srv, err := New(Config{Version: "test", Sources: []Source{{Name: "c", Streams: streams}}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Cluster: fakeCluster{snap}})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.srv.Handler)
			defer ts.Close()
			time.Sleep(time.Millisecond)
			code, body := get(t, ts.URL+"/readyz")
			if (code == 200) != tt.ready || !strings.Contains(body, tt.reason) {
				t.Errorf("readyz %d %s", code, body)
			}
			_, body = get(t, ts.URL+"/api/status")
			var st Status
			if err := json.Unmarshal([]byte(body), &st); err != nil {
				t.Fatal(err)
			}
			agents := st.Sources[0].Streams[0]
			if st.Replica == nil || st.Replica.ID != me.ID || len(st.Replicas) != 2 || agents.State != tt.wantState || agents.Owner != tt.owners["c/agents"] {
				t.Errorf("api/status: %s", body)
			}
			if (st.StateStore != nil) != (tt.storeErr != "") {
				t.Errorf("state_store: %+v", st.StateStore)
			}
			_, page := get(t, ts.URL+"/")
			for _, want := range []string{"Replicas sharing the streams", me.ID + "</strong> <span class=\"muted\">(this one)", "<th>Replica</th>", tt.wantState} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if tt.wantState == "elsewhere" && !strings.Contains(page, "collected by replica r2-bbbbbb") {
				t.Error("page does not say which replica collects the stream")
			}
			if tt.storeErr != "" && !strings.Contains(page, "PostgreSQL (the shared state) unreachable since 1m ago") {
				t.Error("page does not say PostgreSQL is unreachable")
			}
			_, metrics := get(t, ts.URL+"/metrics")
			up := "1"
			if tt.storeErr != "" {
				up = "0"
			}
			for _, want := range []string{
				`s1collector_build_info{goversion=`, `replica="r1-aaaaaa"`,
				`s1collector_replicas_live{replica="r1-aaaaaa"} 2`,
				`s1collector_state_store_up{replica="r1-aaaaaa"} ` + up,
				`s1collector_stream_state{replica="r1-aaaaaa",source="c",state="` + tt.wantState + `",stream="agents"} 1`,
			} {
				if !strings.Contains(metrics, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		})
	}
}

// TestStreamsNotRunHereShowNothingStale: a stream this replica collected
// earlier but another replica holds now, or that this one paused (its
// lease not renewed in time), exports no lag, last success or checkpoint
// age, shows none on /api/status, and is not held; while this replica
// runs it, they are there. The replicas' differing configurations are
// shown.
func TestStreamsNotRunHereShowNothingStale(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Agents: 10, HistoryActivities: 20, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.OpenBolt(t.TempDir() + "/s.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, _ := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken}, &http.Client{Transport: emu.Transport()})
	s := &pipeline.Stream{Source: delivery.SourceInfo{Name: "c"}, API: sentinelone.Activities, Lister: c, Store: st,
		Outputs: []delivery.Output{}, Lookback: 72 * time.Hour, Interval: time.Hour, Now: emu.Now, Log: log,
		Status: pipeline.NewStatus("c", "activities")}
	(&pipeline.Collector{Streams: []*pipeline.Stream{s}, Log: log}).Once(t.Context(), nil)
	me, other := lease.Replica{ID: "r1-aaaaaa"}, lease.Replica{ID: "r2-bbbbbb"}
	for _, tt := range []struct {
		name      string
		owner     string
		suspended bool
		state     string
	}{
		{"run here", me.ID, false, "ok"},
		{"held elsewhere", other.ID, false, "elsewhere"},
		{"paused here", "", true, "paused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			snap := lease.Snapshot{Replica: me, Replicas: []lease.Replica{me, other}, Owners: map[string]string{"c/activities": tt.owner},
				Differs: []string{"replica r2-bbbbbb runs 3 stream(s) this one does not: x/agents, x/activities, x/threats"}}
			if tt.suspended {
				snap.Suspended = []string{"c/activities"}
				snap.StoreError, snap.StoreErrorSince = "dial tcp: connection refused", time.Now()
			}
			srv, err := New(Config{Version: "test", Sources: []Source{{Name: "c", Streams: []*pipeline.Stream{s}}}, Log: log, Cluster: fakeCluster{snap}})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.srv.Handler)
			defer ts.Close()
			_, body := get(t, ts.URL+"/api/status")
			var status Status
			if err := json.Unmarshal([]byte(body), &status); err != nil {
				t.Fatal(err)
			}
			got := status.Sources[0].Streams[0]
			here := tt.state == "ok"
			if got.State != tt.state || (got.LagSeconds != nil) != here || (got.LastSuccess != nil) != here || len(status.ReplicasDiffer) != 1 {
				t.Errorf("api/status: %s", body)
			}
			_, metrics := get(t, ts.URL+"/metrics")
			held := "0"
			if here {
				held = "1"
			}
			for name, want := range map[string]bool{
				`s1collector_lag_seconds{replica="r1-aaaaaa",source="c"`:                              here,
				`s1collector_last_success_timestamp_seconds{replica="r1-aaaaaa",source="c"`:           here,
				`s1collector_checkpoint_age_seconds{replica="r1-aaaaaa",source="c"`:                   here,
				`s1collector_stream_held{replica="r1-aaaaaa",source="c",stream="activities"} ` + held: true,
				`s1collector_stream_state{replica="r1-aaaaaa",source="c",state="` + tt.state + `"`:    true,
			} {
				if strings.Contains(metrics, name) != want {
					t.Errorf("metrics: %s present: %v, want %v", name, !want, want)
				}
			}
			_, page := get(t, ts.URL+"/")
			if !strings.Contains(page, "The replicas' configurations differ: replica r2-bbbbbb runs 3 stream(s)") {
				t.Error("page does not show that the configurations differ")
			}
			if tt.suspended && !strings.Contains(page, "paused: this replica could not renew its lease in time") {
				t.Error("page does not say the stream is paused")
			}
		})
	}
}

package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/lease"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
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

package sekoia

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"s1collector/internal/output/outputtest"
	"s1collector/internal/retry"
)

func assetsTo(t *testing.T, peer *outputtest.Peer, logs *outputtest.Logs, timeout time.Duration) *Assets {
	t.Helper()
	o, err := NewAssets("assets", AssetsConfig{BaseURL: peer.URL, ConnectorUUID: "c0ffee", APIKey: "k3y", BatchSize: 100, TaskTimeout: timeout}, http.DefaultClient, logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	o.pollFirst, o.pollMax = time.Millisecond, 4*time.Millisecond
	return o
}

func pushes(p *outputtest.Peer) (n int) {
	for _, r := range p.Accepted() {
		if outputtest.IsPush(r) {
			n++
		}
	}
	return n
}

// TestIngestionTaskDrivesDelivery: a push counts as delivered once its
// ingestion task finished; a failed task fails the delivery with the
// platform's reason, and the retry sends that push again, not the ones
// whose tasks finished.
func TestIngestionTaskDrivesDelivery(t *testing.T) {
	failing := true
	api := &outputtest.AssetAPI{Task: func(id string, poll int) (string, string) {
		switch {
		case poll < 3:
			return "RUNNING", ""
		case id == "task-2" && failing:
			return "FAILED", "items could not be indexed"
		}
		return "FINISHED", ""
	}}
	peer := outputtest.NewPeer(t, nil)
	api.Serve(peer)
	var logs outputtest.Logs
	o := assetsTo(t, peer, &logs, time.Hour)
	b := outputtest.Batch("agents", 0, 300, 10) // three pushes of 100
	err := o.Deliver(t.Context(), b)
	if err == nil || !strings.Contains(err.Error(), "ingestion task task-2 ended FAILED: items could not be indexed") || retry.IsPermanent(err) {
		t.Fatalf("a failed task: %v", err)
	}
	if n := pushes(peer); n != 2 {
		t.Fatalf("%d pushes before the failed task's, want 2", n)
	}
	failing = false
	if err := o.Deliver(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	polls := api.Polls()
	if n := pushes(peer); n != 4 || polls["task-1"] != 3 || polls["task-3"] != 3 || polls["task-4"] != 3 {
		t.Fatalf("%d pushes (want the failed one again and the last), polls %v", n, polls)
	}
}

// TestIngestionTaskEdges: what counts as accepted without a finished task.
func TestIngestionTaskEdges(t *testing.T) {
	tests := []struct {
		name   string
		accept func(w http.ResponseWriter, r outputtest.Request)
		warns  string // once, however many pushes
	}{
		{"no task_id (older platforms)", func(w http.ResponseWriter, r outputtest.Request) { w.Write([]byte(`{}`)) }, ""},
		{"task still pending at the timeout", taskAnswer(200, `{"status":"PENDING"}`), "ingestion task still not finished: counted as accepted"},
		{"tasks the key may not read", taskAnswer(403, `{"message":"forbidden"}`), "cannot follow Sekoia.io ingestion tasks"},
		{"an answer without status", taskAnswer(200, `{"state":"done"}`), "cannot follow Sekoia.io ingestion tasks"},
		{"a poll that fails, then finished", flaky(), ""},
	}
	for _, tt := range tests {
		peer := outputtest.NewPeer(t, nil)
		peer.Accept = tt.accept
		var logs outputtest.Logs
		o := assetsTo(t, peer, &logs, 50*time.Millisecond)
		if err := o.Deliver(t.Context(), outputtest.Batch("agents", 0, 200, 10)); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if n := pushes(peer); n != 2 {
			t.Errorf("%s: %d pushes, want 2", tt.name, n)
		}
		if tt.warns != "" && strings.Count(logs.String(), tt.warns) < 1 {
			t.Errorf("%s: not reported:\n%s", tt.name, logs.String())
		}
		if strings.Contains(tt.warns, "cannot follow") && strings.Count(logs.String(), tt.warns) != 1 {
			t.Errorf("%s: reported more than once:\n%s", tt.name, logs.String())
		}
	}
}

// taskAnswer answers pushes with a task and every poll with status, body.
func taskAnswer(status int, body string) func(w http.ResponseWriter, r outputtest.Request) {
	return func(w http.ResponseWriter, r outputtest.Request) {
		if outputtest.IsPush(r) {
			w.Write([]byte(`{"task_id":"t"}`))
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// flaky answers the first poll of each task 503, then FINISHED.
func flaky() func(w http.ResponseWriter, r outputtest.Request) {
	polls := 0
	return func(w http.ResponseWriter, r outputtest.Request) {
		if outputtest.IsPush(r) {
			fmt.Fprintf(w, `{"task_id":"t%d"}`, polls)
			return
		}
		polls++
		if polls%2 == 1 {
			w.WriteHeader(503)
			return
		}
		w.Write([]byte(`{"status":"FINISHED"}`))
	}
}

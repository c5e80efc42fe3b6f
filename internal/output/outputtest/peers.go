package outputtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
)

// HECWithoutAck makes the peer answer as Splunk HEC does with a token
// whose indexer acknowledgement is off: events are indexed and answered
// 200 without an ackId, an empty body is "No data" (code 5), and asking
// for an acknowledgement is refused with "ACK is disabled" (code 14).
func HECWithoutAck(p *Peer) {
	p.Accept = func(w http.ResponseWriter, r Request) {
		switch {
		case r.Path == "/services/collector/ack":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"text":"ACK is disabled","code":14}`))
		case len(r.Body) == 0:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"text":"No data","code":5}`))
		default:
			w.Write([]byte(`{"text":"Success","code":0}`))
		}
	}
}

// Logs collects what outputs log, readable while they write.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Logger is a text logger writing to l.
func (l *Logs) Logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// AssetAPI makes the peer answer as Sekoia.io's asset API: each push is
// answered with a new task_id, and GET /api/v1/tasks/{id} with the status
// Task gives at that task's n-th poll (default FINISHED).
type AssetAPI struct {
	mu    sync.Mutex
	Task  func(id string, poll int) (status, errText string)
	tasks int
	polls map[string]int
}

// Serve installs the API on the peer.
func (a *AssetAPI) Serve(p *Peer) {
	a.polls = map[string]int{}
	p.Accept = func(w http.ResponseWriter, r Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if id, ok := strings.CutPrefix(r.Path, "/api/v1/tasks/"); ok {
			a.polls[id]++
			status, why := "FINISHED", ""
			if a.Task != nil {
				status, why = a.Task(id, a.polls[id])
			}
			json.NewEncoder(w).Encode(map[string]string{"id": id, "status": status, "error": why})
			return
		}
		a.tasks++
		fmt.Fprintf(w, `{"task_id":"task-%d"}`, a.tasks)
	}
}

// Polls is how often each task was asked for.
func (a *AssetAPI) Polls() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.polls)
}

// IsPush reports whether a request is a push of assets (not a task poll).
func IsPush(r Request) bool {
	return strings.HasPrefix(r.Path, "/api/v2/asset-management/asset-connector/")
}

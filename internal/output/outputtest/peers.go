package outputtest

import (
	"bytes"
	"log/slog"
	"net/http"
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

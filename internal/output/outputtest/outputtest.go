// Package outputtest checks outputs against local peers that speak their
// protocol and record what they accepted, under the faults real peers
// produce. It is imported by tests only.
package outputtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
)

// Request is one request the peer received.
type Request struct {
	Path   string
	Header http.Header
	Body   []byte // decompressed when gzip'd
	Status int    // what the peer answered
}

// Fault decides the answer to request n (1-based): 0 accepts it, -1 drops
// the connection, any other value is the HTTP status to answer.
type Fault func(n int) int

// Peer is a recording HTTP server.
type Peer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	fault    Fault
	// Accept answers an accepted request; default 200 "{}".
	Accept func(w http.ResponseWriter, r Request)
	// MaxBody, when set, answers 413 to a body (decompressed) over it, as
	// a gateway in front of the service does.
	MaxBody int
}

// NewPeer starts a peer; it stops with the test.
func NewPeer(t testing.TB, fault Fault) *Peer {
	p := &Peer{fault: fault}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *Peer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Encoding") == "gzip" && len(body) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, _ = io.ReadAll(zr)
		}
	}
	p.mu.Lock()
	n := len(p.requests) + 1
	status := 0
	if p.fault != nil {
		status = p.fault(n)
	}
	if p.MaxBody > 0 && len(body) > p.MaxBody && status == 0 {
		status = http.StatusRequestEntityTooLarge
	}
	req := Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Status: status}
	p.requests = append(p.requests, req)
	p.mu.Unlock()
	switch {
	case status == -1:
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, _ := hj.Hijack()
			conn.Close()
		}
	case status != 0:
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":"peer answered %d"}`, status)
	case p.Accept != nil:
		p.Accept(w, req)
	default:
		w.Write([]byte("{}"))
	}
}

// Accepted returns the requests the peer accepted.
func (p *Peer) Accepted() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Request
	for _, r := range p.requests {
		if r.Status == 0 {
			out = append(out, r)
		}
	}
	return out
}

// All returns every request received.
func (p *Peer) All() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

// Batch makes a batch of n events with ids from..from+n-1, each carrying
// filler bytes.
func Batch(stream string, from, n, filler int) delivery.Batch {
	b := delivery.Batch{Source: "prod", Stream: stream,
		Info: delivery.SourceInfo{Name: "prod", Category: "sec/s1", Fields: map[string]string{"env": "prod"}, Host: "eu.sentinelone.net"}}
	pad := strings.Repeat("x", filler)
	for i := from; i < from+n; i++ {
		id := fmt.Sprint(i)
		b.Events = append(b.Events, delivery.Event{ID: id, Time: time.Unix(1767225600, 0),
			Body: json.RawMessage(fmt.Sprintf(`{"id":%q,"device":{"uid":%q},"pad":%q}`, id, id, pad)),
			Meta: []delivery.Field{{Key: "_source", Value: "prod"}}})
	}
	return b
}

// Deliver delivers like the pipeline: retried with backoff until accepted,
// a permanent refusal returned at once.
func Deliver(ctx context.Context, o delivery.Output, b delivery.Batch) error {
	return retry.Policy{Initial: time.Millisecond, Max: 5 * time.Millisecond, MaxAttempts: 40}.Do(ctx, func(ctx context.Context) error {
		return o.Deliver(ctx, b)
	})
}

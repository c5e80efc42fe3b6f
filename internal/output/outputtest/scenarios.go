package outputtest

import (
	"strings"
	"testing"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
)

// Protocol describes an HTTP output to the scenarios.
type Protocol struct {
	// New builds the output for a peer URL.
	New func(t *testing.T, url string) delivery.Output
	// IDs extracts the event ids of an accepted request.
	IDs func(t *testing.T, r Request) []string
	// Setup adjusts the peer (ack endpoints and so on).
	Setup func(p *Peer)
	// Batch adjusts each batch before it is delivered (stream, source
	// settings, event kinds); nil delivers Batch's as they are.
	Batch func(b delivery.Batch) delivery.Batch
}

// Scenario is a fault pattern and what must come of it.
type Scenario struct {
	Name      string
	Fault     Fault
	Permanent bool // delivery must fail with the peer's explanation
}

// Scenarios are the faults every HTTP output must come through.
var Scenarios = []Scenario{
	{Name: "accepted", Fault: nil},
	{Name: "429 then success", Fault: func(n int) int { return pick(n <= 2, 429) }},
	{Name: "5xx burst", Fault: func(n int) int { return pick(n <= 5, []int{500, 502, 503, 504, 503}[min(n, 5)-1]) }},
	{Name: "down for a while", Fault: func(n int) int { return pick(n <= 4, -1) }},
	{Name: "failure mid-batch", Fault: func(n int) int { return pick(n == 2, 503) }},
	{Name: "permanent 400", Fault: func(int) int { return 400 }, Permanent: true},
}

func pick(cond bool, status int) int {
	if cond {
		return status
	}
	return 0
}

// Run drives every scenario: 2,500 events in three batches (as Protocol.Batch
// leaves them); the events the peer accepted must be exactly the events
// sent, each once, or — for a
// permanent refusal — none, with the peer's explanation in the error.
func Run(t *testing.T, proto Protocol) {
	for _, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			peer := NewPeer(t, sc.Fault)
			if proto.Setup != nil {
				proto.Setup(peer)
			}
			o := proto.New(t, peer.URL)
			defer o.Close()
			var err error
			sent := 0
			for _, b := range []delivery.Batch{Batch("agents", 0, 1000, 200), Batch("agents", 1000, 1000, 200), Batch("agents", 2000, 500, 200)} {
				if proto.Batch != nil {
					b = proto.Batch(b)
				}
				sent += len(b.Events)
				if err = Deliver(t.Context(), o, b); err != nil {
					break
				}
			}
			if sc.Permanent {
				if !retry.IsPermanent(err) || !strings.Contains(err.Error(), "peer answered 400") {
					t.Fatalf("want a permanent error naming the peer's answer, got %v", err)
				}
				if n := len(peer.Accepted()); n != 0 {
					t.Fatalf("%d requests accepted", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, r := range peer.Accepted() {
				for _, id := range proto.IDs(t, r) {
					seen[id]++
				}
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("event %s accepted %d times", id, n)
				}
			}
			if len(seen) != sent {
				t.Fatalf("%d distinct events accepted, want %d", len(seen), sent)
			}
		})
	}
}

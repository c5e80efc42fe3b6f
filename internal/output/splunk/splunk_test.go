package splunk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
)

func envelopes(t *testing.T, r outputtest.Request) []string {
	if r.Path != "/services/collector/event" || r.Header.Get("Authorization") != "Splunk hec-token" {
		t.Fatalf("request %s %v", r.Path, r.Header)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	var ids []string
	for dec.More() {
		var env struct {
			Time       float64 `json:"time"`
			Host       string  `json:"host"`
			Sourcetype string  `json:"sourcetype"`
			Index      string  `json:"index"`
			Event      struct {
				ID string `json:"id"`
			} `json:"event"`
		}
		if err := dec.Decode(&env); err != nil {
			t.Fatal(err)
		}
		if env.Sourcetype != "sentinelone:channel:agents" || env.Host != "eu.sentinelone.net" || env.Index != "edr" || env.Time != 1767225600 {
			t.Fatalf("envelope %+v", env)
		}
		ids = append(ids, env.Event.ID)
	}
	return ids
}

func TestScenarios(t *testing.T) {
	outputtest.Run(t, outputtest.Protocol{
		New: func(t *testing.T, url string) delivery.Output {
			o, _ := New("hec", Config{URL: url, Token: "hec-token", Index: "edr", MaxBytes: 100_000}, http.DefaultClient)
			return o
		},
		IDs: envelopes,
	})
}

// ackPeer answers HEC with ackIds and confirms each on its second poll.
func ackPeer(p *outputtest.Peer) {
	var mu sync.Mutex
	next, polls := 0, map[string]int{}
	p.Accept = func(w http.ResponseWriter, r outputtest.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Splunk-Request-Channel") == "" {
			w.WriteHeader(400)
			w.Write([]byte(`{"text":"Data channel is missing","code":10}`))
			return
		}
		if r.Path == "/services/collector/ack" {
			var req struct{ Acks []int }
			json.Unmarshal(r.Body, &req)
			id := fmt.Sprint(req.Acks[0])
			polls[id]++
			fmt.Fprintf(w, `{"acks":{"%s":%v}}`, id, polls[id] >= 2)
			return
		}
		fmt.Fprintf(w, `{"text":"Success","code":0,"ackId":%d}`, next)
		next++
	}
}

func TestAckedScenarios(t *testing.T) {
	outputtest.Run(t, outputtest.Protocol{
		New: func(t *testing.T, url string) delivery.Output {
			o, _ := New("hec", Config{URL: url, Token: "hec-token", Index: "edr", Ack: true, AckPoll: time.Millisecond}, http.DefaultClient)
			return o
		},
		IDs: func(t *testing.T, r outputtest.Request) []string {
			if r.Path == "/services/collector/ack" {
				return nil
			}
			return envelopes(t, r)
		},
		Setup: ackPeer,
	})
}

func TestAckTimeoutFails(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	peer.Accept = func(w http.ResponseWriter, r outputtest.Request) {
		if r.Path == "/services/collector/ack" {
			w.Write([]byte(`{"acks":{"0":false}}`))
			return
		}
		w.Write([]byte(`{"text":"Success","code":0,"ackId":0}`))
	}
	o, _ := New("hec", Config{URL: peer.URL, Token: "hec-token", Ack: true, AckPoll: time.Millisecond, AckTimeout: 20 * time.Millisecond}, http.DefaultClient)
	err := o.Deliver(t.Context(), outputtest.Batch("agents", 0, 3, 1))
	if err == nil || !strings.Contains(err.Error(), "not confirmed by the indexers") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckUsesNoData(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		ok     bool
	}{{400, `{"text":"No data","code":5}`, true}, {403, `{"text":"Invalid token","code":4}`, false}} {
		peer := outputtest.NewPeer(t, nil)
		peer.Accept = func(w http.ResponseWriter, r outputtest.Request) { w.WriteHeader(tt.status); w.Write([]byte(tt.body)) }
		o, _ := New("hec", Config{URL: peer.URL, Token: "hec-token"}, http.DefaultClient)
		if err := o.Check(t.Context()); (err == nil) != tt.ok {
			t.Errorf("%d: %v", tt.status, err)
		}
	}
}

package splunk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
)

var quiet = slog.New(slog.DiscardHandler)

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
			o, _ := New("hec", Config{URL: url, Token: "hec-token", Index: "edr", MaxBytes: 100_000}, http.DefaultClient, quiet)
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
			o, _ := New("hec", Config{URL: url, Token: "hec-token", Index: "edr", Ack: true, AckPoll: time.Millisecond}, http.DefaultClient, quiet)
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
	o, _ := New("hec", Config{URL: peer.URL, Token: "hec-token", Ack: true, AckPoll: time.Millisecond, AckTimeout: 20 * time.Millisecond}, http.DefaultClient, quiet)
	err := o.Deliver(t.Context(), outputtest.Batch("agents", 0, 3, 1))
	if err == nil || !strings.Contains(err.Error(), "not confirmed by the indexers") {
		t.Fatalf("err = %v", err)
	}
}

// TestAckOffOnTheToken: with ack: true on a token without acknowledgement,
// HEC indexes what it answers 200 to. Through every fault, each event is
// indexed exactly once, and one warning says to set ack: false.
func TestAckOffOnTheToken(t *testing.T) {
	var logs outputtest.Logs
	log := logs.Logger()
	outputtest.Run(t, outputtest.Protocol{
		New: func(t *testing.T, url string) delivery.Output {
			o, _ := New("hec", Config{URL: url, Token: "hec-token", Index: "edr", Ack: true, AckPoll: time.Millisecond, MaxBytes: 100_000}, http.DefaultClient, log)
			return o
		},
		IDs:   envelopes,
		Setup: outputtest.HECWithoutAck,
	})
	// One warning per output: Run built one output per accepted scenario.
	if n := strings.Count(logs.String(), "set ack: false"); n != len(outputtest.Scenarios)-1 {
		t.Fatalf("%d warnings for %d outputs:\n%s", n, len(outputtest.Scenarios)-1, logs.String())
	}
}

func TestCheck(t *testing.T) {
	ok := func(w http.ResponseWriter, r outputtest.Request) {
		if r.Path == "/services/collector/ack" {
			w.Write([]byte(`{"acks":{"0":false}}`))
			return
		}
		w.WriteHeader(400)
		w.Write([]byte(`{"text":"No data","code":5}`))
	}
	badToken := func(w http.ResponseWriter, r outputtest.Request) {
		w.WriteHeader(403)
		w.Write([]byte(`{"text":"Invalid token","code":4}`))
	}
	tests := []struct {
		name   string
		ack    bool
		accept func(w http.ResponseWriter, r outputtest.Request)
		want   string // "" ok, "warning: …" a warning, else a failure containing it
	}{
		{"token valid", false, ok, ""},
		{"token valid, acknowledgement on", true, ok, ""},
		{"invalid token", false, badToken, "HTTP 403"},
		{"acknowledgement off on the token", true, nil, "warning: " + "set ack: false"},
		{"acknowledgement off, not asked", false, nil, ""},
	}
	for _, tt := range tests {
		peer := outputtest.NewPeer(t, nil)
		outputtest.HECWithoutAck(peer)
		if tt.accept != nil {
			peer.Accept = tt.accept
		}
		o, _ := New("hec", Config{URL: peer.URL, Token: "hec-token", Ack: tt.ack}, http.DefaultClient, quiet)
		err := o.Check(t.Context())
		var w *delivery.Warning
		switch {
		case tt.want == "":
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		case strings.HasPrefix(tt.want, "warning: "):
			if !errors.As(err, &w) || !strings.Contains(err.Error(), strings.TrimPrefix(tt.want, "warning: ")) {
				t.Errorf("%s: want a warning, got %v", tt.name, err)
			}
		default:
			if err == nil || errors.As(err, &w) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: want a failure with %q, got %v", tt.name, tt.want, err)
			}
		}
		for _, r := range peer.All() {
			if bytes.Contains(r.Body, []byte(`"event"`)) {
				t.Errorf("%s: check sent an event", tt.name)
			}
		}
	}
}

package httpout

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
)

func TestChunks(t *testing.T) {
	tests := []struct {
		sizes              []int
		maxItems, maxBytes int
		want               [][2]int
	}{
		{[]int{10, 10, 10}, 2, 0, [][2]int{{0, 2}, {2, 3}}},
		{[]int{10, 10, 10}, 0, 25, [][2]int{{0, 2}, {2, 3}}},
		{[]int{10, 100, 10}, 0, 50, [][2]int{{0, 1}, {1, 2}, {2, 3}}},
		{nil, 5, 5, nil},
		{[]int{1, 1, 1, 1}, 0, 0, [][2]int{{0, 4}}},
	}
	for _, tt := range tests {
		got := Chunks(tt.sizes, tt.maxItems, tt.maxBytes, 1)
		if len(got) != len(tt.want) {
			t.Errorf("%v: got %v, want %v", tt.sizes, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%v: got %v, want %v", tt.sizes, got, tt.want)
			}
		}
	}
}

func TestPostClassifies(t *testing.T) {
	tests := []struct {
		status    int
		header    string
		permanent bool
		throttle  time.Duration
	}{
		{400, "", true, 0},
		{401, "", true, 0},
		{413, "", true, 0},
		{408, "", false, 0},
		{429, "", false, 0},
		{429, "3", false, 3 * time.Second},
		{503, "", false, 0},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.header != "" {
				w.Header().Set("Retry-After", tt.header)
			}
			w.WriteHeader(tt.status)
			w.Write([]byte(`{"message":"explained by the peer"}`))
		}))
		_, err := Post(t.Context(), srv.Client(), srv.URL, nil, []byte("x"))
		srv.Close()
		if retry.IsPermanent(err) != tt.permanent || !strings.Contains(err.Error(), "explained by the peer") {
			t.Errorf("%d: %v (permanent %v)", tt.status, err, retry.IsPermanent(err))
		}
		var te *retry.ThrottleError
		if errors.As(err, &te) != (tt.throttle > 0) || (te != nil && te.Delay != tt.throttle) {
			t.Errorf("%d %s: throttle %v", tt.status, tt.header, te)
		}
	}
}

func TestProgressResumesAtTheFailedChunk(t *testing.T) {
	var p Progress
	b := delivery.Batch{Source: "s", Stream: "agents", Events: []delivery.Event{{ID: "1"}, {ID: "2"}}}
	var sent []int
	fail := true
	send := func(from, to int) error {
		if from == 2 && fail {
			fail = false
			return errors.New("down")
		}
		sent = append(sent, from)
		return nil
	}
	chunks := [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}}
	if err := p.Send(b, chunks, send); err == nil {
		t.Fatal("first try should fail")
	}
	if err := p.Send(b, chunks, send); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(sent); got != "[0 1 2 3]" {
		t.Fatalf("sent chunks %v, want each once", sent)
	}
	if p.Skip(b) != 0 {
		t.Fatal("progress kept after the batch was delivered")
	}
}

// TestProgressSplitsWhatIsTooLarge: a request refused with 413 is sent
// again in halves until each fits, every item once, with one warning
// saying what to lower; an item refused alone fails for good.
func TestProgressSplitsWhatIsTooLarge(t *testing.T) {
	tooLarge := retry.Permanent(&PeerError{Status: 413, Body: "Request Entity Too Large"})
	b := delivery.Batch{Source: "s", Stream: "agents", Events: make([]delivery.Event, 10)}
	var logs strings.Builder
	p := Progress{Log: slog.New(slog.NewTextHandler(&logs, nil)), TooLargeHint: "lower max_bytes"}
	got := map[int]int{}
	requests := 0
	send := func(from, to int) error {
		requests++
		if to-from > 3 {
			return tooLarge
		}
		for i := from; i < to; i++ {
			got[i]++
		}
		return nil
	}
	if err := p.Send(b, [][2]int{{0, 8}, {8, 10}}, send); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if got[i] != 1 {
			t.Fatalf("item %d sent %d times (%v)", i, got[i], got)
		}
	}
	if n := strings.Count(logs.String(), "lower max_bytes"); n != 1 || requests != 8 {
		t.Fatalf("%d requests, %d warnings: %s", requests, n, logs.String())
	}
	err := p.Send(b, [][2]int{{0, 2}}, func(from, to int) error { return tooLarge })
	if !retry.IsPermanent(err) || !strings.Contains(err.Error(), "refuses even this one event alone as too large") {
		t.Fatalf("one event refused alone: %v", err)
	}
}

// TestUntrustedCertificateIsPermanent: a peer whose certificate is not
// trusted is refused for good, with the setting that fixes it.
func TestUntrustedCertificateIsPermanent(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	_, err := Post(t.Context(), &http.Client{}, srv.URL, nil, []byte("x"))
	if !retry.IsPermanent(err) || !strings.Contains(err.Error(), "set http.ca_file") {
		t.Fatalf("err = %v", err)
	}
}

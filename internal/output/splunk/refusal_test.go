package splunk

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
	"s1collector/internal/retry"
)

// TestRefusalsNameTheSetting: HEC's refusals of the token, and of a
// request without a channel on a token with indexer acknowledgement, fail
// test and deliveries for good, naming the setting to fix.
func TestRefusalsNameTheSetting(t *testing.T) {
	tests := []struct {
		status int
		answer string
		want   string
	}{
		{401, `{"text":"Token is required","code":2}`, `check splunk_hec.token of output "hec"`},
		{403, `{"text":"Invalid token","code":4}`, `HTTP 403: {"text":"Invalid token","code":4} — HEC refused the token: check splunk_hec.token of output "hec"`},
		{400, `{"text":"Data channel is missing","code":10}`, `this HEC token has indexer acknowledgement on: set splunk_hec.ack: true for output "hec"`},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			fmt.Fprint(w, tt.answer)
		}))
		o, _ := New("hec", Config{URL: srv.URL, Token: "t"}, http.DefaultClient, slog.New(slog.DiscardHandler))
		for what, err := range map[string]error{"check": o.Check(t.Context()), "deliver": o.Deliver(t.Context(), outputtest.Batch("threats", 0, 3, 10))} {
			if !retry.IsPermanent(err) || !strings.Contains(err.Error(), tt.want) || delivery.FixOf(err) == "" {
				t.Errorf("%s answered %d: %v", what, tt.status, err)
			}
		}
		srv.Close()
	}
}

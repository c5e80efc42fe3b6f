package splunk

import (
	"log/slog"
	"net/http"
	"testing"

	"s1collector/internal/output/outputtest"
)

func BenchmarkDeliver(b *testing.B) {
	srv := outputtest.Sink(b, `{"text":"Success","code":0}`)
	o, _ := New("h", Config{URL: srv.URL, Token: "t"}, http.DefaultClient, slog.New(slog.DiscardHandler))
	outputtest.Bench(b, o)
}

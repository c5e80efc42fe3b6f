package sumologic

import (
	"net/http"
	"testing"

	"s1collector/internal/output/outputtest"
)

func BenchmarkDeliver(b *testing.B) {
	srv := outputtest.Sink(b, "")
	o, _ := New("s", Config{URL: srv.URL}, http.DefaultClient)
	outputtest.Bench(b, o)
}

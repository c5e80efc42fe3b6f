package webhook

import (
	"net/http"
	"testing"

	"s1collector/internal/output/outputtest"
)

func BenchmarkDeliver(b *testing.B) {
	for _, gz := range []bool{false, true} {
		name := "ndjson"
		if gz {
			name += "-gzip"
		}
		b.Run(name, func(b *testing.B) {
			srv := outputtest.Sink(b, "")
			o, _ := New("w", Config{URL: srv.URL, Gzip: gz}, http.DefaultClient)
			outputtest.Bench(b, o)
		})
	}
}

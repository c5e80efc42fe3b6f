package outputtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"s1collector/internal/delivery"
)

// Sink is a peer that accepts everything and keeps nothing, for benchmarks.
func Sink(b testing.TB, answer string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, answer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// Bench delivers 1000-event batches of ~1.8 KB events (an agent's size)
// and reports events/s.
func Bench(b *testing.B, o delivery.Output) {
	batch := Batch("agents", 0, 1000, 1700)
	var size int64
	for _, e := range batch.Events {
		size += int64(len(e.Body))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := o.Deliver(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
		n += len(batch.Events)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

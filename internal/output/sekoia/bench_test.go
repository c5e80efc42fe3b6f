package sekoia

import (
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"s1collector/internal/output/outputtest"
)

func BenchmarkAssets(b *testing.B) {
	srv := outputtest.Sink(b, "{}")
	o, _ := NewAssets("a", AssetsConfig{BaseURL: srv.URL, ConnectorUUID: "u", APIKey: "k"}, http.DefaultClient, slog.New(slog.DiscardHandler))
	outputtest.Bench(b, o)
}

func BenchmarkIntake(b *testing.B) {
	srv := outputtest.Sink(b, `{"event_ids":[]}`)
	o, _ := NewIntake("i", IntakeConfig{URL: srv.URL, IntakeKey: "k"}, http.DefaultClient, slog.New(slog.DiscardHandler))
	outputtest.Bench(b, o)
}

// BenchmarkItem maps a real console's device (the transform's golden) to
// an asset item.
func BenchmarkItem(b *testing.B) {
	body, err := os.ReadFile("../../transform/testdata/real-2025-cribl/sekoia.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := item(body, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

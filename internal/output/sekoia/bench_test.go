package sekoia

import (
	"log/slog"
	"net/http"
	"testing"

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

package file

import (
	"log/slog"
	"testing"

	"s1collector/internal/output/outputtest"
)

func BenchmarkDeliver(b *testing.B) {
	o, _ := New("f", Config{Dir: b.TempDir()}, slog.New(slog.DiscardHandler))
	defer o.Close()
	outputtest.Bench(b, o)
}

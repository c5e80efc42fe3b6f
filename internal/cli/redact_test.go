package cli

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogsAreScrubbed(t *testing.T) {
	var buf bytes.Buffer
	redact := strings.NewReplacer("KEY-123", "[redacted]").Replace
	log := withRedaction(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), redact)
	log = log.With("source", "prod", "cfg", "token=KEY-123")
	log.Debug("peer said KEY-123", "error", errors.New(`HTTP 401: {"key":"KEY-123"}`), slog.Group("g", "x", "KEY-123"), "n", 5)
	out := buf.String()
	if strings.Contains(out, "KEY-123") || strings.Count(out, "[redacted]") != 4 || !strings.Contains(out, `"n":5`) {
		t.Fatalf("log line: %s", out)
	}
}

package cli

import (
	"bytes"
	"encoding/base64"
	"errors"
	"log"
	"log/slog"
	"os"
	"strings"
	"testing"

	"s1collector/internal/config"
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

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), t.TempDir(), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestStandardLogAndReloadedSecretsAreScrubbed: what net/http writes with
// the standard log package ("Unsolicited response received on idle HTTP
// channel starting with …", quoting a peer) goes through the scrubbing
// logger, and secrets that arrive with a reload are scrubbed from the
// logger already built, in every form.
func TestStandardLogAndReloadedSecretsAreScrubbed(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	defer log.SetOutput(os.Stderr)
	const first, second = "FIRST-TOKEN-0123456789", "SECOND-HOOK-KEY-abcdef"
	var buf bytes.Buffer
	logSecrets.add(parse(t, `
sources: [{name: s, base_url: https://t.sentinelone.net, token: `+first+`, outputs: [o]}]
outputs: [{name: o, type: stdout}]`))
	logger := withRedaction(slog.New(slog.NewTextHandler(&buf, nil)), logSecrets.redact)
	log.Printf("Unsolicited response received on idle HTTP channel starting with %q", "HTTP/1.1 200 OK\r\n\r\nAuthorization: ApiToken "+first)
	logSecrets.add(parse(t, `
sources: [{name: s, base_url: https://t.sentinelone.net, token: `+first+`, outputs: [o]}]
outputs: [{name: o, type: webhook, webhook: {url: "https://siem.example.com/in", headers: {Authorization: "Bearer `+second+`"}}}]`))
	logger.Warn("peer said " + second + " and " + base64.StdEncoding.EncodeToString([]byte(second)))
	out := buf.String()
	if !strings.Contains(out, "Unsolicited response") || strings.Count(out, "[redacted]") != 3 {
		t.Errorf("log:\n%s", out)
	}
	for _, s := range []string{first, second, base64.StdEncoding.EncodeToString([]byte(second))[:16]} {
		if strings.Contains(out, s) {
			t.Errorf("%q shown:\n%s", s, out)
		}
	}
}

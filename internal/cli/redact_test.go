package cli

import (
	"bytes"
	"encoding/base64"
	"errors"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

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

// TestStandardLogAndReloadedSecretsAreScrubbed: what net/http writes with
// the standard log package ("Unsolicited response received on idle HTTP
// channel starting with …", quoting a peer) goes through the scrubbing
// logger the commands build, and secrets that arrive with a reload are
// scrubbed from the logger already built, in every form.
func TestStandardLogAndReloadedSecretsAreScrubbed(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	defer log.SetOutput(os.Stderr)
	saved := globals
	globals.logLevel, globals.logFormat = "", "" // another test's flags may linger
	defer func() { globals = saved }()
	const first, second = "FIRST-TOKEN-0123456789", "SECOND-HOOK-KEY-abcdef"
	dir := t.TempDir()
	path := filepath.Join(dir, "s1collector.yaml")
	os.WriteFile(path, []byte(`log: {format: text}
sources: [{name: s, base_url: https://t.sentinelone.net, token: `+first+`, outputs: [o]}]
outputs: [{name: o, type: stdout}]`), 0o600)
	var buf bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetErr(&buf)
	_, logger, err := loadWithLogger(cmd, path)
	if err != nil {
		t.Fatal(err)
	}
	log.Printf("Unsolicited response received on idle HTTP channel starting with %q", "HTTP/1.1 200 OK\r\n\r\nAuthorization: ApiToken "+first)
	os.WriteFile(path, []byte(`sources: [{name: s, base_url: https://t.sentinelone.net, token: `+first+`, outputs: [o]}]
outputs: [{name: o, type: webhook, webhook: {url: "https://siem.example.com/in", headers: {Authorization: "Bearer `+second+`"}}}]`), 0o600)
	next, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	logSecrets.add(next) // as a reload does
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

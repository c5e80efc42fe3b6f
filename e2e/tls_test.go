package e2e

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s1collector/internal/emulator"
	"s1collector/internal/output/outputtest"
)

func writeCA(t *testing.T, srv *httptest.Server, path string) {
	t.Helper()
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTLSIsVerified: a console and a webhook with self-signed certificates
// are refused until their CA is configured with ca_file.
func TestTLSIsVerified(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Agents: 20, HistoryActivities: 5, HistoryThreats: 1, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	console := httptest.NewTLSServer(emu.Handler())
	defer console.Close()
	peer := outputtest.NewPeer(t, nil)
	hook := httptest.NewTLSServer(peer.Config.Handler)
	defer hook.Close()
	config := func(consoleTLS, hookTLS string) string {
		return `state: {path: state.db}
log: {format: json}
sources:
  - name: emu
    base_url: ` + console.URL + `
    token: ` + emulator.DefaultToken + `
    lookback: 72h
    outputs: [hook]
` + consoleTLS + `
outputs:
  - name: hook
    type: webhook
    webhook: {url: "` + hook.URL + `/in"}
` + hookTLS
	}
	w := newWorkdir(t, config("", ""))
	writeCA(t, console, filepath.Join(w.dir, "console-ca.pem"))
	writeCA(t, hook, filepath.Join(w.dir, "hook-ca.pem"))

	_, stderr, code := w.run(nil, "once", "--delivery-attempts", "1")
	if code == 0 || !strings.Contains(stderr, "certificate") {
		t.Fatalf("a self-signed console was trusted: exit %d\n%s", code, stderr)
	}

	w.write("s1collector.yaml", config("    http: {ca_file: console-ca.pem}", ""))
	_, stderr, code = w.run(nil, "once", "--delivery-attempts", "1")
	if code == 0 || !strings.Contains(stderr, "output hook") || !strings.Contains(stderr, "certificate") {
		t.Fatalf("a self-signed webhook was trusted: exit %d\n%s", code, stderr)
	}

	w.write("s1collector.yaml", config("    http: {ca_file: console-ca.pem}", "    http: {ca_file: hook-ca.pem}"))
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("with both CAs configured: exit %d\n%s", code, stderr)
	}
	if n := len(peer.Accepted()); n == 0 {
		t.Fatal("the webhook received nothing")
	}
	_ = http.StatusOK
}

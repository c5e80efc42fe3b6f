package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHealthURL(t *testing.T) {
	tests := []struct {
		listen string
		ready  bool
		want   string
	}{
		{"127.0.0.1:9464", false, "http://127.0.0.1:9464/healthz"},
		{"0.0.0.0:9464", false, "http://127.0.0.1:9464/healthz"},
		{":8080", true, "http://127.0.0.1:8080/readyz"},
		{"[::]:9464", false, "http://[::1]:9464/healthz"},
		{"10.0.0.5:9464", false, "http://10.0.0.5:9464/healthz"},
	}
	for _, tt := range tests {
		if got := healthURL(tt.listen, tt.ready); got != tt.want {
			t.Errorf("healthURL(%q, %v) = %q, want %q", tt.listen, tt.ready, got, tt.want)
		}
	}
}

func TestHealthExitStatus(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"ready":false,"reasons":["prod/agents: failing"]}`, http.StatusServiceUnavailable)
	})
	up := httptest.NewServer(mux)
	defer up.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"alive", []string{"--listen", up.Listener.Addr().String()}, 0, "HTTP 200 ok", ""},
		{"not ready, with the reasons", []string{"--listen", up.Listener.Addr().String(), "--ready"}, 1, "", "HTTP 503 {\"ready\":false,\"reasons\":[\"prod/agents: failing\"]}"},
		{"nothing listening", []string{"--listen", down}, 1, "", "no answer (is s1collector running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCommand(t, append([]string{"health"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					code, out, errOut, tt.code, tt.out, tt.err)
			}
		})
	}
}

// TestHealthOverTLS: with server.tls on, health still answers: the plain
// request is refused by the TLS server, and it asks again over TLS.
func TestHealthOverTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) }))
	defer srv.Close()
	out, errOut, code := runCommand(t, "health", "--listen", srv.Listener.Addr().String())
	if code != 0 || !strings.Contains(out, "HTTP 200 ok") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestHealthFollowsTheConfig: without --listen, health asks the config's
// server.listen (found as by every command, $S1COLLECTOR_CONFIG included,
// as in the image), so a changed address keeps the container healthy; a
// server that is off is said so.
func TestHealthFollowsTheConfig(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) }))
	defer up.Close()
	dir := t.TempDir()
	write := func(name, listen string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(`server: {listen: "`+listen+`"}
sources: [{name: a, base_url: https://a.sentinelone.net, token: "${S1_TEST_UNSET_TOKEN}", outputs: [o]}]
outputs: [{name: o, type: stdout}]
`), 0o644)
		return p
	}
	served := write("served.yaml", up.Listener.Addr().String())
	off := write("off.yaml", "off")

	out, errOut, code := runCommand(t, "health", "--config", served)
	if code != 0 || !strings.Contains(out, "HTTP 200 ok") {
		t.Errorf("--config: exit %d, %q %q", code, out, errOut)
	}
	t.Setenv(ConfigEnv, served)
	if out, errOut, code := runCommand(t, "health"); code != 0 || !strings.Contains(out, "http://"+up.Listener.Addr().String()+"/healthz") {
		t.Errorf("$%s: exit %d, %q %q", ConfigEnv, code, out, errOut)
	}
	if _, errOut, code := runCommand(t, "health", "--config", off); code != 1 || !strings.Contains(errOut, "the status server is off in "+off) {
		t.Errorf("server off: exit %d, %q", code, errOut)
	}
	if out, errOut, code := runCommand(t, "health", "--config", off, "--listen", up.Listener.Addr().String()); code != 0 {
		t.Errorf("--listen wins: exit %d, %q %q", code, out, errOut)
	}
}

package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
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

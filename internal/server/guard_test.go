package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func guarded(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.srv.Handler)
	t.Cleanup(ts.Close)
	return ts
}

func request(t *testing.T, url, host string, header http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestEveryAnswerForbidsSniffingFramingAndScripts: the status page and
// the APIs are sent with nosniff, a CSP that allows no script, and DENY
// for frames — errors and 404s too.
func TestEveryAnswerForbidsSniffingFramingAndScripts(t *testing.T) {
	ts := guarded(t, Config{})
	for _, p := range []string{"/", "/api/status", "/metrics", "/healthz", "/readyz", "/nowhere"} {
		resp := request(t, ts.URL+p, "", nil)
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s (%d): headers %v", p, resp.StatusCode, h)
		}
	}
}

// TestHostIsChecked: on loopback, a request whose Host is another name (a
// page of another site re-pointing its name at 127.0.0.1) is refused;
// loopback names and configured names are served. Beyond loopback without
// configured names, any Host is served (authentication is the guard).
func TestHostIsChecked(t *testing.T) {
	ts := guarded(t, Config{Listen: "127.0.0.1:9464", Hosts: []string{"collector.internal"}})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	cases := map[string]int{
		"evil.example.com":              http.StatusMisdirectedRequest,
		"evil.example.com:" + port:      http.StatusMisdirectedRequest,
		"127.0.0.1.nip.io:" + port:      http.StatusMisdirectedRequest,
		"127.0.0.1:" + port:             http.StatusOK,
		"localhost:" + port:             http.StatusOK,
		"[::1]:" + port:                 http.StatusOK,
		"COLLECTOR.internal:" + port:    http.StatusOK,
		"collector.internal":            http.StatusOK,
		"collector.internal.evil.com:1": http.StatusMisdirectedRequest,
	}
	for host, want := range cases {
		if got := request(t, ts.URL+"/api/status", host, nil).StatusCode; got != want {
			t.Errorf("Host %s: %d, want %d", host, got, want)
		}
	}
	open := guarded(t, Config{Listen: "0.0.0.0:9464"})
	if got := request(t, open.URL+"/healthz", "collector.example.com", nil).StatusCode; got != http.StatusOK {
		t.Errorf("beyond loopback: %d", got)
	}
}

// TestAuthentication: with server.auth every path but /healthz asks for
// the bearer token or the user and password; wrong ones are refused.
func TestAuthentication(t *testing.T) {
	bearer := guarded(t, Config{Auth: Auth{BearerToken: "status-token-123"}})
	basic := guarded(t, Config{Auth: Auth{Username: "ops", Password: "pass-456"}})
	basicHeader := func(u, p string) http.Header {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(u, p)
		return r.Header
	}
	cases := []struct {
		name   string
		srv    *httptest.Server
		path   string
		header http.Header
		want   int
	}{
		{"bearer missing", bearer, "/api/status", nil, 401},
		{"bearer wrong", bearer, "/metrics", http.Header{"Authorization": {"Bearer status-token-124"}}, 401},
		{"bearer as basic", bearer, "/", basicHeader("x", "status-token-123"), 401},
		{"bearer right", bearer, "/metrics", http.Header{"Authorization": {"Bearer status-token-123"}}, 200},
		{"health needs none", bearer, "/healthz", nil, 200},
		{"readyz answers probes", bearer, "/readyz", nil, 200},
		{"basic missing", basic, "/", nil, 401},
		{"basic wrong password", basic, "/", basicHeader("ops", "pass-457"), 401},
		{"basic wrong user", basic, "/", basicHeader("root", "pass-456"), 401},
		{"basic right", basic, "/api/status", basicHeader("ops", "pass-456"), 200},
	}
	for _, c := range cases {
		resp := request(t, c.srv.URL+c.path, "", c.header)
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if c.want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
	}
}

// TestTLS: with a certificate the server speaks HTTPS only.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	pool := writeCert(t, dir)
	srv, err := New(Config{Listen: "127.0.0.1:0", CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(t.Context())
	if !strings.HasPrefix(srv.URL(), "https://") {
		t.Errorf("URL %s", srv.URL())
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(srv.URL() + "healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("https: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp, err := http.Get("http://" + srv.Addr() + "/healthz"); err == nil && resp.StatusCode == 200 {
		t.Error("plain http served")
	}
	if _, err := New(Config{CertFile: filepath.Join(dir, "missing.crt"), KeyFile: "x"}); err == nil || !strings.Contains(err.Error(), "server.tls") {
		t.Errorf("missing certificate: %v", err)
	}
}

// TestExposureIsWarned: listening beyond loopback is logged, saying what
// is missing.
func TestExposureIsWarned(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "without authentication"},
		{Config{Auth: Auth{BearerToken: "t-123456"}}, "without TLS"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		c.cfg.Log = slog.New(slog.NewTextHandler(&buf, nil))
		srv, err := New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv.warnIfExposed(&net.TCPAddr{IP: net.IPv4zero, Port: 9464})
		srv.warnIfExposed(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9464})
		if out := buf.String(); strings.Count(out, "level=WARN") != 1 || !strings.Contains(out, c.want) {
			t.Errorf("log: %s", out)
		}
	}
	// And Start says it, for a server on every interface (a free port, shut
	// down at once).
	var buf bytes.Buffer
	srv, _ := New(Config{Listen: "0.0.0.0:0", Log: slog.New(slog.NewTextHandler(&buf, nil))})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	srv.Shutdown(t.Context())
	if !strings.Contains(buf.String(), "listens beyond loopback without authentication") {
		t.Errorf("Start on 0.0.0.0 did not warn: %s", buf.String())
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 and returns a
// pool that trusts it.
func writeCert(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "s1collector test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// TestReadyzTellsReasonsOnlyWithCredentials: with server.auth, a probe
// without credentials learns ready or not, and the errors only with them.
func TestReadyzTellsReasonsOnlyWithCredentials(t *testing.T) {
	ts := fixtureWith(t, Auth{BearerToken: "status-token-123"})
	anonymous := request(t, ts.URL+"/readyz", "", nil)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/readyz", nil)
	req.Header.Set("Authorization", "Bearer status-token-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if anonymous.StatusCode != 503 || resp.StatusCode != 503 || !strings.Contains(string(body), "expired/activities: stopped") {
		t.Fatalf("anonymous %d, authorized %d %s", anonymous.StatusCode, resp.StatusCode, body)
	}
	_, anonBody := get(t, ts.URL+"/readyz")
	if strings.Contains(anonBody, "reasons") || strings.Contains(anonBody, "expired") {
		t.Errorf("reasons told without credentials: %s", anonBody)
	}
}

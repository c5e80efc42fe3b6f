package cli

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"s1collector/internal/config"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// TestFirstContactSaysWhatAnswered: test's first check tells apart what
// answered at base_url — a web server that is not a console, a plain-HTTP
// request to an HTTPS port (Go's answer and nginx's), a self-signed
// certificate — and says the fix for each, not "unreachable".
func TestFirstContactSaysWhatAnswered(t *testing.T) {
	notConsole := httptest.NewServer(http.NotFoundHandler())
	defer notConsole.Close()
	nginx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(400)
		w.Write([]byte("<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head><body><center><h1>400 Bad Request</h1></center>" +
			"<center>The plain HTTP request was sent to HTTPS port</center><hr><center>nginx</center></body></html>"))
	}))
	defer nginx.Close()
	tlsConsole := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsConsole.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused on purpose
	tlsConsole.StartTLS()
	defer tlsConsole.Close()
	for _, tt := range []struct {
		name, url string
		want      []string
	}{
		{"a web server, not a console", notConsole.URL, []string{"answered, but not as a SentinelOne console", "HTTP 404", "check base_url is the console's address"}},
		{"nginx: plain HTTP to its HTTPS port", nginx.URL, []string{"HTTP 400", "that port serves HTTPS: write https:// in base_url"}},
		{"Go: plain HTTP to its HTTPS port", strings.Replace(tlsConsole.URL, "https://", "http://", 1), []string{"that port serves HTTPS: write https:// in base_url"}},
		{"self-signed certificate", tlsConsole.URL, []string{"unreachable", "signed by an authority this machine does not trust", "http.ca_file"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cl, err := sentinelone.New(sentinelone.Config{BaseURL: tt.url, Token: "t", Timeout: 5 * time.Second, Retry: retry.Policy{MaxAttempts: 1}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := &checker{redact: func(s string) string { return s }}
			checkSource(context.Background(), c, config.Source{Name: "s"}, cl)
			out := c.w.String()
			if c.failed != 1 {
				t.Errorf("%d failed, want 1:\n%s", c.failed, out)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

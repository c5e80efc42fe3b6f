package httpclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestExplainNamesTheHostAndTheFix: each way a connection fails gets a
// reason that names what was dialled and what to check; real errors from
// the network stack where loopback can make them.
func TestExplainNamesTheHostAndTheFix(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	hostPort := strings.TrimPrefix(plain.URL, "http://")
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"connection refused", get(t, "http://127.0.0.1:1/"), []string{"nothing accepts connections at 127.0.0.1:1", "check the port"}},
		{"TLS to a plain HTTP port", get(t, "https://"+hostPort+"/"), []string{"does not speak TLS", "scheme and port"}},
		{"unknown name", &url.Error{Op: "Get", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Name: "euce1-acme.sentinelonne.net", Err: "no such host", IsNotFound: true}}},
			[]string{"euce1-acme.sentinelonne.net does not exist in DNS", "spelling"}},
		{"DNS server silent", &net.DNSError{Name: "console.example", Err: "i/o timeout", IsTimeout: true}, []string{"console.example could not be resolved", "DNS settings"}},
		{"dial timeout", &net.OpError{Op: "dial", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 443}, Err: timeoutErr{}},
			[]string{"10.0.0.1:443 did not accept the connection in time", "firewall", "proxy"}},
		{"no answer", fmt.Errorf("agents: Get: %w", context.DeadlineExceeded), []string{"host.example did not answer within the timeout"}},
		{"proxy", &net.OpError{Op: "proxyconnect", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3128}, Err: errors.New("connection refused")},
			[]string{"proxy 127.0.0.1:3128 could not be used", "HTTPS_PROXY"}},
		{"an HTTP answer is not a connection failure", errors.New("agents: HTTP 403 Forbidden"), nil},
	}
	for _, tt := range tests {
		got := Explain(tt.err, "host.example")
		if (got == "") != (tt.want == nil) {
			t.Errorf("%s: %q for %v", tt.name, got, tt.err)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q (error: %v)", tt.name, got, w, tt.err)
			}
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func get(t *testing.T, u string) error {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("%s answered", u)
	}
	return err
}

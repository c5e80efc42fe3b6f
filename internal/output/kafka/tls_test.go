package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
	"testing"
)

// testCA is httptest's certificate for 127.0.0.1, which brokers serve and
// clients trust as their CA.
type testCA struct{ srv *httptest.Server }

func newTestCA(t *testing.T) testCA {
	srv := httptest.NewTLSServer(nil)
	t.Cleanup(srv.Close)
	return testCA{srv}
}

func (c testCA) serverConfig() *tls.Config {
	return &tls.Config{Certificates: c.srv.TLS.Certificates, MinVersion: tls.VersionTLS12}
}

func (c testCA) clientConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(c.srv.Certificate())
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

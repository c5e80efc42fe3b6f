package main

import (
	"context"
	"crypto/x509"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestPublicRootsWithoutASystemBundle: where the system has no root
// certificates (the scratch image), the binary still trusts the public
// CAs, from the bundle it carries.
func TestPublicRootsWithoutASystemBundle(t *testing.T) {
	if os.Getenv("S1C_ROOTS_CHILD") == "1" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool.Equal(x509.NewCertPool()) {
			t.Fatalf("no root certificates (%v)", err)
		}
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // killed when the test ends, however it ends
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestPublicRootsWithoutASystemBundle$")
	cmd.Env = append(os.Environ(), "S1C_ROOTS_CHILD=1", "SSL_CERT_FILE=/nonexistent", "SSL_CERT_DIR=/nonexistent")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("without a system bundle: %v\n%s", err, out)
	}
}

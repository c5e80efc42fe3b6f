// Command s1collector brings SentinelOne Management console data into any
// SIEM or data lake. See the README, or run "s1collector --help".
package main

import (
	"os"

	// Mozilla's root certificates, used only where the system has none (the
	// scratch image, a minimal host): TLS to consoles and outputs works
	// anywhere, and no build machine's bundle is baked into the image.
	// A bundle of the system's, or SSL_CERT_FILE, still takes precedence.
	_ "golang.org/x/crypto/x509roots/fallback"

	"s1collector/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}

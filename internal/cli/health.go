package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// defaultListen is where run serves its status page unless told otherwise.
const defaultListen = "127.0.0.1:9464"

func newHealthCmd() *cobra.Command {
	var path, listen string
	var ready bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Ask a running collector whether it is alive (or ready); for container health checks",
		Long: `Ask the collector running on this host whether it is alive: GET /healthz on
its status address, exit 0 when it answers 200, else 1 with the reason.
With --ready, ask /readyz instead: 200 once every stream has completed a cycle
or is within its first interval.

The address is the config's server.listen (the config found as by the other
commands: --config, $S1COLLECTOR_CONFIG, ./s1collector.yaml,
/etc/s1collector/s1collector.yaml), or --listen when the collector was started
with run --listen; 127.0.0.1:9464 when there is no config at all. An address
of 0.0.0.0 or [::] is asked on loopback. No token or key is read.

Meant for health checks where there is no shell or curl, as in the container
image (HEALTHCHECK CMD ["s1collector", "health"]).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, origin, err := healthListen(cmd, path, listen)
			if err != nil {
				return err
			}
			url := healthURL(addr, ready)
			msg, err := probe(cmd.Context(), url, timeout)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "✗ %s: %v (address from %s)\n", url, err, origin)
				return exitError{1}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "✓ %s: %s\n", url, msg)
			return nil
		},
	}
	addConfigFlag(cmd, &path)
	cmd.Flags().StringVar(&listen, "listen", "", "the collector's status address, when run was given --listen (default: the config's server.listen)")
	cmd.Flags().BoolVar(&ready, "ready", false, "ask /readyz (ready to collect) rather than /healthz (alive)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	return cmd
}

// healthListen is the status address to ask, and where it comes from:
// --listen, else the config's server.listen, else (no config anywhere)
// the default address.
func healthListen(cmd *cobra.Command, path, listen string) (addr, origin string, err error) {
	if listen != "" {
		return listen, "--listen", nil
	}
	if !cmd.Flags().Changed("config") && os.Getenv(ConfigEnv) == "" && !fileExists(path) {
		return defaultListen, "the default: no config found", nil
	}
	cfg, err := loadConfigWithoutSecrets(cmd, path)
	if err != nil {
		return "", "", err
	}
	origin = "server.listen of " + path
	if cfg.Server.Listen == "off" {
		return "", "", fmt.Errorf("the status server is off in %s (server.listen: off): nothing answers health checks; "+
			"set server.listen (e.g. 127.0.0.1:9464) and reload, or give --listen", path)
	}
	return cfg.Server.Listen, origin, nil
}

// healthURL is the URL of the health endpoint for a listen address; a
// wildcard host is asked on loopback.
func healthURL(listen string, ready bool) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		host, port = listen, "9464"
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::", "[::]":
		host = "::1"
	}
	path := "/healthz"
	if ready {
		path = "/readyz"
	}
	return "http://" + net.JoinHostPort(host, port) + path
}

// probe GETs url once and describes a 200 answer; anything else is an error.
func probe(ctx context.Context, url string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("no answer (is s1collector running, with its status page on this address?): %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode == http.StatusBadRequest && strings.Contains(text, "HTTPS server") && req.URL.Scheme == "http" {
		// server.tls is on: ask again over TLS. Its certificate is not
		// checked: this asks the process on this host whether it lives,
		// and sends nothing secret.
		req.URL.Scheme = "https"
		client.Transport = &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
		if resp, err = client.Do(req); err != nil {
			return "", fmt.Errorf("no answer over TLS: %w", err)
		}
		defer resp.Body.Close()
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
		text = strings.TrimSpace(string(body))
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d %s", resp.StatusCode, text)
	}
	return "HTTP 200 " + text, nil
}

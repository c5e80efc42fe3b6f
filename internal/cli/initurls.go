package cli

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"s1collector/internal/sentinelone"
)

// consoleURL is --console-url as the console client uses it: scheme and
// host. A path, query or fragment (a page of the console copied from the
// browser) is dropped, and note says so; a user name or password is
// refused, never written: the console takes an API token.
func consoleURL(raw string) (base, note string, err error) {
	withScheme := raw
	if !strings.Contains(raw, "://") {
		withScheme = "https://" + raw
	}
	u, perr := url.Parse(withScheme)
	if perr != nil {
		return "", "", errors.New("--console-url is not a URL like https://euce1-acme.sentinelone.net")
	}
	if u.User != nil {
		return "", "", fmt.Errorf("--console-url carries a user name or password: the console is reached with an API token "+
			"(--token-env or --token-file), give its address alone, e.g. %s://%s", u.Scheme, u.Host)
	}
	// The URL without what is dropped, so that no error quotes a query.
	base, err = sentinelone.NormalizeBaseURL(u.Scheme + "://" + u.Host)
	if err != nil {
		return "", "", fmt.Errorf("--console-url: %s", strings.TrimPrefix(err.Error(), "base_url: "))
	}
	if strings.Trim(u.EscapedPath(), "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		note = fmt.Sprintf("--console-url: wrote %s, the console's address (the path, query or fragment given are not part of it)", base)
	}
	return base, note, nil
}

// outputURL checks the URL of an output given by flag. One that carries a
// credential (a user name or password, a query such as ?api_key=) is not
// written in the file, which any user may read: the config reads it from
// the environment variable env instead, and value is ${env}. A plain-http
// URL to another host works, with a warning: its token travels in clear.
func outputURL(flag, raw, env string) (value, warning string, err error) {
	u, perr := url.Parse(raw)
	switch {
	case perr != nil || u.Host == "":
		return "", "", fmt.Errorf("%s is not a URL like https://siem.example.com:8088", flag)
	case u.Scheme != "https" && u.Scheme != "http":
		return "", "", fmt.Errorf("%s: scheme %q is not http or https", flag, u.Scheme)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		warning = fmt.Sprintf("%s uses plain http: the token and the events cross the network unencrypted to %s; "+
			"use https unless that network is yours", flag, u.Host)
	}
	if u.User != nil || u.RawQuery != "" {
		return "${" + env + "}", warning, nil
	}
	return raw, warning, nil
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// normalise writes the output URLs as the config will hold them and the paths
// as absolute (a relative one would be taken from the config's folder, not
// from where init ran), collecting what the user must be told.
func (s *starter) normalise() error {
	if err := checkListen(s.Listen); err != nil {
		return err
	}
	for _, o := range []struct {
		url        *string
		flag, env  string
		outputType string
	}{
		{&s.SplunkURL, "--splunk-url", "SPLUNK_HEC_URL", "splunk_hec"},
		{&s.WebhookURL, "--webhook-url", "WEBHOOK_URL", "webhook"},
	} {
		if !s.Has(o.outputType) {
			continue
		}
		value, warning, err := outputURL(o.flag, *o.url, o.env)
		if err != nil {
			return err
		}
		if warning != "" {
			s.Warnings = append(s.Warnings, warning)
		}
		if value != *o.url {
			s.EnvNotes = append(s.EnvNotes, envNote{o.env, "the " + o.flag + " you gave: it carries a credential, so it is not written in the file"})
		}
		*o.url = value
	}
	for _, p := range []*string{&s.StateDir, &s.TokenFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			abs, err := filepath.Abs(*p)
			if err != nil {
				return err
			}
			*p = abs
		}
	}
	return nil
}

// envNote says what a variable the config reads must hold, when its name
// does not.
type envNote struct{ name, holds string }

// checkListen refuses a --listen the status server could not bind.
func checkListen(listen string) error {
	if listen == "off" {
		return nil
	}
	_, port, err := net.SplitHostPort(listen)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 0 || n > 65535 {
			err = errors.New("bad port")
		}
	}
	if err != nil {
		return fmt.Errorf("--listen %q is not host:port (e.g. 127.0.0.1:9464, 0.0.0.0:9464 in a container) or off", listen)
	}
	return nil
}

// Package webhook posts events to any HTTP endpoint, as NDJSON or a JSON
// array, optionally gzip'd, with the headers the endpoint wants.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"s1collector/internal/delivery"
	"s1collector/internal/httpclient"
	"s1collector/internal/output/httpout"
)

// Config configures the output.
type Config struct {
	URL       string
	JSONArray bool // default NDJSON
	Gzip      bool
	Headers   map[string]string
	MaxBytes  int // per request; default 5 MiB
	MaxEvents int // per request; default 1000
	// Log is told once when the endpoint refuses a request as too large.
	Log *slog.Logger
}

// Output is a webhook.
type Output struct {
	name     string
	cfg      Config
	client   *http.Client
	progress httpout.Progress
}

// New returns the output.
func New(name string, cfg Config, client *http.Client) (*Output, error) {
	if cfg.URL == "" {
		return nil, errors.New("webhook output " + name + ": url: is required")
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 5 << 20
	}
	if cfg.MaxEvents == 0 {
		cfg.MaxEvents = 1000
	}
	o := &Output{name: name, cfg: cfg, client: client}
	o.progress.Log, o.progress.TooLargeHint = cfg.Log, "lower max_bytes (or max_events) of this output to avoid the extra requests"
	return o, nil
}

// Name is the output's configured name.
func (o *Output) Name() string { return o.name }

// Deliver posts the batch in requests within MaxEvents and MaxBytes.
func (o *Output) Deliver(ctx context.Context, b delivery.Batch) error {
	docs, sizes := httpout.Decorated(b.Events)
	chunks := httpout.Chunks(sizes, o.cfg.MaxEvents, o.cfg.MaxBytes, 1)
	err := o.progress.Send(b, chunks, func(from, to int) error {
		body := o.encode(docs[from:to])
		_, err := httpout.Post(ctx, o.client, o.cfg.URL, o.header(), body)
		return err
	})
	fix := fmt.Sprintf("the endpoint refused the credentials: check webhook.headers (its authorization) of output %q", o.name)
	return httpout.Explain(err, httpout.Fixes{http.StatusUnauthorized: fix, http.StatusForbidden: fix})
}

func (o *Output) encode(docs [][]byte) []byte {
	var buf bytes.Buffer
	if o.cfg.JSONArray {
		buf.WriteByte('[')
		buf.Write(bytes.Join(docs, []byte{','}))
		buf.WriteByte(']')
	} else {
		for _, d := range docs {
			buf.Write(d)
			buf.WriteByte('\n')
		}
	}
	if o.cfg.Gzip {
		return httpout.Gzip(buf.Bytes())
	}
	return buf.Bytes()
}

func (o *Output) header() http.Header {
	h := http.Header{"Content-Type": {"application/x-ndjson"}, "User-Agent": {"s1collector"}}
	if o.cfg.JSONArray {
		h.Set("Content-Type", "application/json")
	}
	if o.cfg.Gzip {
		h.Set("Content-Encoding", "gzip")
	}
	for k, v := range o.cfg.Headers {
		h.Set(k, v)
	}
	return h
}

// Check makes a HEAD request: any HTTP answer but a redirect proves the
// endpoint is reachable and its certificate trusted; no event is sent.
func (o *Output) Check(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, o.cfg.URL, nil)
	if err != nil {
		return err
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return fmt.Errorf("unreachable: %w", httpclient.RedactURL(err))
	}
	resp.Body.Close()
	if re := httpclient.AsRedirect(resp); re != nil {
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, re) // delivery would fail the same way
	}
	return nil
}

// Close has nothing to release.
func (o *Output) Close() error { return nil }

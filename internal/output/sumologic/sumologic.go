// Package sumologic delivers to a Sumo Logic HTTP Logs source: NDJSON,
// gzip, at most 1 MB uncompressed a request, with the X-Sumo-* headers.
package sumologic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"s1collector/internal/delivery"
	"s1collector/internal/output/httpout"
)

// MaxRequestBytes is Sumo Logic's limit per request, uncompressed.
const MaxRequestBytes = 1_000_000

// Config configures the output. Category, Name and Host override what the
// source says (its category, its name, the console's host).
type Config struct {
	URL                  string
	Category, Name, Host string
}

// Output posts to the HTTP source URL, which is itself the credential.
type Output struct {
	name     string
	cfg      Config
	client   *http.Client
	progress httpout.Progress
}

// New returns the output.
func New(name string, cfg Config, client *http.Client) (*Output, error) {
	if cfg.URL == "" {
		return nil, errors.New("sumologic output " + name + ": url: is required")
	}
	return &Output{name: name, cfg: cfg, client: client}, nil
}

// Name is the output's configured name.
func (o *Output) Name() string { return o.name }

// Deliver sends the batch as gzip'd NDJSON in requests of at most 1 MB
// uncompressed. Every event keeps its _siemEventID inline (it differs
// from event to event); X-Sumo-Fields carries the source's fields and the
// Cloud SIEM fields common to the request.
func (o *Output) Deliver(ctx context.Context, b delivery.Batch) error {
	lines, sizes := httpout.Decorated(b.Events)
	chunks := httpout.Chunks(sizes, 0, MaxRequestBytes, 1)
	header := o.header(b)
	return o.progress.Send(b, len(chunks), func(i int) error {
		var buf bytes.Buffer
		for _, l := range lines[chunks[i][0]:chunks[i][1]] {
			buf.Write(l)
			buf.WriteByte('\n')
		}
		_, err := httpout.Post(ctx, o.client, o.cfg.URL, header, httpout.Gzip(buf.Bytes()))
		return err
	})
}

func (o *Output) header(b delivery.Batch) http.Header {
	h := http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"application/x-ndjson"}}
	set := func(key, override, fallback string) {
		if v := first(override, fallback); v != "" {
			h.Set(key, v)
		}
	}
	set("X-Sumo-Category", o.cfg.Category, b.Info.Category)
	set("X-Sumo-Name", o.cfg.Name, b.Info.Name)
	set("X-Sumo-Host", o.cfg.Host, b.Info.Host)
	if f := Fields(b.Info, b.Stream); f != "" {
		h.Set("X-Sumo-Fields", f)
	}
	return h
}

// Fields is the X-Sumo-Fields value: the source's fields and, when
// forwarding to Cloud SIEM, _siemForward and the _siem* fields that hold
// for every event of the stream.
func Fields(info delivery.SourceInfo, stream string) string {
	f := maps.Clone(info.Fields)
	if f == nil {
		f = map[string]string{}
	}
	if info.SiemForward {
		f["_siemForward"] = "true"
		for _, field := range delivery.CommonSiemFields(stream) {
			f[field.Key] = fmt.Sprint(field.Value)
		}
	}
	keys := slices.Sorted(maps.Keys(f))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strings.NewReplacer(",", " ", "=", " ").Replace(f[k])
	}
	return strings.Join(parts, ",")
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Check posts an empty body: it proves the URL is accepted and sends no
// message.
func (o *Output) Check(ctx context.Context) error {
	_, err := httpout.Post(ctx, o.client, o.cfg.URL, http.Header{"Content-Type": {"application/x-ndjson"}}, nil)
	if err != nil {
		return fmt.Errorf("post an empty message: %w", err)
	}
	return nil
}

// Close has nothing to release.
func (o *Output) Close() error { return nil }

// Package sumologic delivers to a Sumo Logic HTTP Logs source: NDJSON,
// gzip, at most 1 MB uncompressed a request, with the X-Sumo-* headers
// and, for sources that forward to Cloud SIEM, its _siem* fields.
package sumologic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

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

// request is one POST: its headers and its NDJSON body, uncompressed.
type request struct {
	header http.Header
	body   []byte
}

// Deliver sends the batch as gzip'd NDJSON in requests of at most 1 MB
// uncompressed. For a source that forwards to Cloud SIEM the events are
// grouped by _siemEventID, so that the X-Sumo-Fields of each request,
// from which Sumo takes a message's fields, carries its events' own.
func (o *Output) Deliver(ctx context.Context, b delivery.Batch) error {
	reqs := o.requests(b)
	return o.progress.Send(b, len(reqs), func(i int) error {
		_, err := httpout.Post(ctx, o.client, o.cfg.URL, reqs[i].header, httpout.Gzip(reqs[i].body))
		return err
	})
}

func (o *Output) requests(b delivery.Batch) []request {
	var out []request
	for _, g := range groups(b) {
		header := o.header(b, g.eventID)
		lines, sizes := httpout.Decorated(g.events)
		for _, c := range httpout.Chunks(sizes, 0, MaxRequestBytes, 1) {
			var buf bytes.Buffer
			for _, l := range lines[c[0]:c[1]] {
				buf.Write(l)
				buf.WriteByte('\n')
			}
			out = append(out, request{header: header, body: buf.Bytes()})
		}
	}
	return out
}

// group is the events of a batch that share a _siemEventID.
type group struct {
	eventID string
	events  []delivery.Event
}

// groups splits the batch by _siemEventID, in the order the ids first
// appear, each event carrying the Cloud SIEM fields; a source that does
// not forward to Cloud SIEM gives one group, unchanged.
func groups(b delivery.Batch) []group {
	if !b.Info.SiemForward {
		return []group{{events: b.Events}}
	}
	rule := ruleOf(b.Stream)
	var out []group
	index := map[string]int{}
	for _, e := range b.Events {
		id := fieldValue(rule.eventID(e))
		e.Meta = append(slices.Clip(e.Meta), siemFields(b.Stream, id)...)
		i, ok := index[id]
		if !ok {
			i = len(out)
			index[id] = i
			out = append(out, group{eventID: id})
		}
		out[i].events = append(out[i].events, e)
	}
	return out
}

func (o *Output) header(b delivery.Batch, eventID string) http.Header {
	h := http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"application/x-ndjson"}}
	set := func(key, override, fallback string) {
		if v := first(override, fallback); v != "" {
			h.Set(key, v)
		}
	}
	set("X-Sumo-Category", o.cfg.Category, b.Info.Category)
	set("X-Sumo-Name", o.cfg.Name, b.Info.Name)
	set("X-Sumo-Host", o.cfg.Host, b.Info.Host)
	if f := Fields(b.Info, b.Stream, eventID); len(f) > 0 {
		h.Set("X-Sumo-Fields", encodeFields(f))
	}
	return h
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

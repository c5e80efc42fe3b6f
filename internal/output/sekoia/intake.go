package sekoia

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"s1collector/internal/delivery"
	"s1collector/internal/output/httpout"
)

// Sekoia.io intake limits.
const (
	MaxRequestBytes = 10 << 20 // one /batch request
	MaxEventChars   = 250_000  // one event; longer ones are refused by the intake
)

// IntakeConfig configures the intake output.
type IntakeConfig struct {
	URL       string // default https://intake.sekoia.io
	IntakeKey string
}

// Intake posts events to POST {url}/batch as {"intake_key":…,"jsons":[…]},
// each event serialised as a string, requests within 10 MiB. An event over
// 250,000 characters is skipped and reported (the intake would refuse it).
type Intake struct {
	name     string
	key      string
	url      string
	client   *http.Client
	log      *slog.Logger
	progress httpout.Progress
}

// NewIntake returns the output.
func NewIntake(name string, cfg IntakeConfig, client *http.Client, log *slog.Logger) (*Intake, error) {
	if cfg.IntakeKey == "" {
		return nil, fmt.Errorf("sekoia_intake output %s: intake_key: is required", name)
	}
	if cfg.URL == "" {
		cfg.URL = "https://intake.sekoia.io"
	}
	o := &Intake{name: name, key: cfg.IntakeKey, url: strings.TrimRight(cfg.URL, "/") + "/batch", client: client, log: log}
	o.progress.Log, o.progress.TooLargeHint = log, "a proxy between the collector and the intake may limit request sizes below the intake's 10 MiB"
	return o, nil
}

// Name is the output's configured name.
func (o *Intake) Name() string { return o.name }

// Deliver posts the batch in requests within the intake's size limit.
func (o *Intake) Deliver(ctx context.Context, b delivery.Batch) error {
	var strs [][]byte
	var sizes []int
	for _, e := range b.Events {
		if len(e.Body) > MaxEventChars {
			o.log.Warn("event too long for the Sekoia.io intake: skipped", "stream", b.Stream, "id", e.ID, "chars", len(e.Body), "limit", MaxEventChars)
			b.Skipped.Add(e.ID)
			continue
		}
		s, _ := json.Marshal(string(e.Body))
		strs = append(strs, s)
		sizes = append(sizes, len(s))
	}
	keyJSON, _ := json.Marshal(o.key)
	overhead := len(`{"intake_key":,"jsons":[]}`) + len(keyJSON)
	chunks := httpout.Chunks(sizes, 0, MaxRequestBytes-overhead, 1)
	err := o.progress.Send(b, chunks, func(from, to int) error {
		body := intakeBody(keyJSON, strs[from:to])
		_, err := httpout.Post(ctx, o.client, o.url, http.Header{"Content-Type": {"application/json"}, "User-Agent": {"s1collector"}}, body)
		return err
	})
	return httpout.Explain(err, o.fixes())
}

// fixes say what to change when the intake refuses the key.
func (o *Intake) fixes() httpout.Fixes {
	fix := fmt.Sprintf("the intake refused the key: check sekoia_intake.intake_key of output %q (the intake's key on Sekoia.io, Intakes page)", o.name)
	return httpout.Fixes{http.StatusUnauthorized: fix, http.StatusForbidden: fix,
		http.StatusNotFound: fmt.Sprintf("no intake at this address: check sekoia_intake.url of output %q", o.name)}
}

func intakeBody(keyJSON []byte, events [][]byte) []byte {
	n := len(keyJSON) + 32
	for _, e := range events {
		n += len(e) + 1
	}
	buf := make([]byte, 0, n)
	buf = append(buf, `{"intake_key":`...)
	buf = append(buf, keyJSON...)
	buf = append(buf, `,"jsons":[`...)
	for i, e := range events {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, e...)
	}
	return append(buf, "]}"...)
}

// Check posts an empty batch: reachability and the key, no event sent.
func (o *Intake) Check(ctx context.Context) error {
	body := intakeBody(mustJSON(o.key), nil)
	_, err := httpout.Post(ctx, o.client, o.url, http.Header{"Content-Type": {"application/json"}}, body)
	return httpout.Explain(err, o.fixes())
}

func mustJSON(s string) []byte { b, _ := json.Marshal(s); return b }

// Close has nothing to release.
func (o *Intake) Close() error { return nil }

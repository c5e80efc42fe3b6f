// Package splunk delivers to a Splunk HTTP Event Collector: concatenated
// event envelopes with sourcetype sentinelone:channel:<stream>, and, when
// asked, indexer acknowledgement before a batch counts as delivered.
package splunk

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/output/httpout"
	"s1collector/internal/retry"
)

// Config configures the output.
type Config struct {
	URL        string // https://host:8088
	Token      string
	Index      string
	Ack        bool          // wait for indexer acknowledgement
	AckTimeout time.Duration // default 2m
	AckPoll    time.Duration // default 1s
	MaxBytes   int           // per request; default 1 MiB
}

// Output is a HEC output.
type Output struct {
	name     string
	cfg      Config
	client   *http.Client
	log      *slog.Logger
	channel  string
	progress httpout.Progress
	noAck    sync.Once // warns that the token does not acknowledge
}

// New returns the output.
func New(name string, cfg Config, client *http.Client, log *slog.Logger) (*Output, error) {
	if cfg.URL == "" || cfg.Token == "" {
		return nil, errors.New("splunk_hec output " + name + ": url and token are required")
	}
	if cfg.AckTimeout == 0 {
		cfg.AckTimeout = 2 * time.Minute
	}
	if cfg.AckPoll == 0 {
		cfg.AckPoll = time.Second
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 1 << 20
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	return &Output{name: name, cfg: cfg, client: client, log: log, channel: newChannel()}, nil
}

func newChannel() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Name is the output's configured name.
func (o *Output) Name() string { return o.name }

// envelope writes a HEC event envelope around an encoded event, by hand:
// json.Marshal would validate the event bytes again.
func envelope(buf []byte, t time.Time, host, source, sourcetype, index string, event []byte) []byte {
	str := func(k, v string) {
		if v != "" {
			b, _ := json.Marshal(v)
			buf = append(buf, `"`+k+`":`...)
			buf = append(append(buf, b...), ',')
		}
	}
	buf = append(buf, '{')
	if !t.IsZero() {
		buf = append(buf, `"time":`...)
		buf = strconv.AppendFloat(buf, float64(t.UnixMicro())/1e6, 'f', -1, 64)
		buf = append(buf, ',')
	}
	str("host", host)
	str("source", source)
	str("sourcetype", sourcetype)
	str("index", index)
	buf = append(buf, `"event":`...)
	buf = append(buf, event...)
	return append(buf, '}')
}

// Deliver posts the batch's envelopes in requests within MaxBytes and, with
// acknowledgement on, waits until the indexers confirm each one.
func (o *Output) Deliver(ctx context.Context, b delivery.Batch) error {
	envs := make([][]byte, len(b.Events))
	sizes := make([]int, len(b.Events))
	for i, e := range b.Events {
		envs[i] = envelope(nil, e.Time, b.Info.Host, "s1collector:"+b.Source, "sentinelone:channel:"+b.Stream, o.cfg.Index, e.Decorated())
		sizes[i] = len(envs[i])
	}
	chunks := httpout.Chunks(sizes, 0, o.cfg.MaxBytes, 0)
	return o.progress.Send(b, len(chunks), func(i int) error {
		return o.post(ctx, bytes.Join(envs[chunks[i][0]:chunks[i][1]], nil))
	})
}

func (o *Output) header() http.Header {
	h := http.Header{"Authorization": {"Splunk " + o.cfg.Token}, "Content-Type": {"application/json"}}
	if o.cfg.Ack {
		h.Set("X-Splunk-Request-Channel", o.channel)
	}
	return h
}

// ackOffWarning is the fix when acknowledgement is asked of a token that
// does not give it.
const ackOffWarning = "indexer acknowledgement is off on this HEC token (Splunk Cloud offers it only for Firehose): set ack: false for this output"

func (o *Output) post(ctx context.Context, body []byte) error {
	resp, err := httpout.Post(ctx, o.client, o.cfg.URL+"/services/collector/event", o.header(), body)
	if err != nil || !o.cfg.Ack {
		return err
	}
	var r struct {
		AckID *int64 `json:"ackId"`
	}
	if json.Unmarshal(resp, &r) != nil || r.AckID == nil {
		// HEC indexes what it accepts when the token has acknowledgement
		// off: the events are delivered, and must not be sent again.
		o.noAck.Do(func() {
			o.log.Warn("HEC accepted events without an ackId: "+ackOffWarning, "answer", excerpt(resp))
		})
		return nil
	}
	return o.waitAck(ctx, *r.AckID)
}

func excerpt(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// waitAck polls /services/collector/ack until the indexers confirm.
func (o *Output) waitAck(ctx context.Context, id int64) error {
	deadline := time.Now().Add(o.cfg.AckTimeout)
	body := []byte(fmt.Sprintf(`{"acks":[%d]}`, id))
	for {
		// The events were accepted: a failed poll is asked again rather than
		// the events sent again, unless the peer refuses polling for good.
		resp, err := httpout.Post(ctx, o.client, o.cfg.URL+"/services/collector/ack", o.header(), body)
		if retry.IsPermanent(err) {
			return fmt.Errorf("ack %d: %w", id, err)
		}
		var r struct {
			Acks map[string]bool `json:"acks"`
		}
		if err == nil && json.Unmarshal(resp, &r) == nil && r.Acks[fmt.Sprint(id)] {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ack %d: not confirmed by the indexers within %s (last poll: %v); the batch is sent again", id, o.cfg.AckTimeout, err)
		}
		t := time.NewTimer(o.cfg.AckPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Check posts an empty body: HEC answers 400 "No data" to a valid token
// and 401/403 to a bad one, so nothing is indexed. With acknowledgement
// on, it also asks for the status of ack 0, which a token without
// acknowledgement refuses with "ACK is disabled" (code 14).
func (o *Output) Check(ctx context.Context) error {
	_, err := httpout.Post(ctx, o.client, o.cfg.URL+"/services/collector/event", o.header(), nil)
	if !hecCode(err, 5) && err != nil {
		return err
	}
	if !o.cfg.Ack {
		return nil
	}
	_, err = httpout.Post(ctx, o.client, o.cfg.URL+"/services/collector/ack", o.header(), []byte(`{"acks":[0]}`))
	if hecCode(err, 14) {
		return &delivery.Warning{Msg: ackOffWarning + "; until then each request is counted as delivered once HEC accepts it"}
	}
	if err != nil {
		return fmt.Errorf("ask for an acknowledgement: %w", err)
	}
	return nil
}

// hecCode reports whether err is HEC's 400 answer with the given code.
func hecCode(err error, code int) bool {
	var pe *httpout.PeerError
	if !errors.As(err, &pe) || pe.Status != http.StatusBadRequest {
		return false
	}
	var answer struct {
		Code *int `json:"code"`
	}
	return json.Unmarshal([]byte(pe.Body), &answer) == nil && answer.Code != nil && *answer.Code == code
}

// Close has nothing to release.
func (o *Output) Close() error { return nil }

// Package kafka produces events to Kafka with franz-go: a topic per stream
// (or one topic), the record key a stable id so compaction keeps the latest
// version of a device, and acks from all in-sync replicas before a batch
// counts as delivered. TLS and SASL (PLAIN, SCRAM-SHA-256/512) reach
// managed clusters; a delivery that is not acknowledged in time fails.
package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"s1collector/internal/delivery"
)

// DefaultDeliveryTimeout bounds one delivery of a batch.
const DefaultDeliveryTimeout = 30 * time.Second

// SASLMechanisms are the SASL mechanisms the output speaks.
var SASLMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// Config configures the output.
type Config struct {
	Brokers []string
	// Topic, with {source} and {stream} replaced. Default sentinelone.{stream}.
	Topic string
	// DeliveryTimeout bounds one delivery: records not acknowledged by
	// then fail it (the batch is retried). Default 30s.
	DeliveryTimeout time.Duration
	// CreateTopics lets the brokers create a topic at its first write;
	// off, a missing topic fails the delivery (a typo creates nothing).
	CreateTopics bool
	TLS          *tls.Config // nil: plaintext
	SASL         SASL
	// Routes are the source and stream pairs sent to this output, whose
	// topics Check looks for.
	Routes []Route
}

// SASL is the authentication to the brokers; an empty Mechanism is none.
type SASL struct {
	Mechanism          string // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
	Username, Password string
}

// Route is a source and a stream.
type Route struct{ Source, Stream string }

// Validate reports what cannot work.
func (c Config) Validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("brokers: is required"))
	}
	if c.DeliveryTimeout != 0 && c.DeliveryTimeout < time.Second {
		errs = append(errs, fmt.Errorf("delivery_timeout: %s is under 1s", c.DeliveryTimeout))
	}
	if m := c.SASL.Mechanism; m != "" {
		if !slices.Contains(SASLMechanisms, m) {
			errs = append(errs, fmt.Errorf("sasl.mechanism: %q is not one of %s", m, strings.Join(SASLMechanisms, ", ")))
		}
		if c.SASL.Username == "" || c.SASL.Password == "" {
			errs = append(errs, errors.New("sasl: username and password are required"))
		}
	}
	return errors.Join(errs...)
}

// Output is a Kafka producer.
type Output struct {
	name    string
	cfg     Config
	client  *kgo.Client
	reach   *reach
	timeout time.Duration
}

// New connects lazily to the brokers.
func New(name string, cfg Config, opts ...kgo.Opt) (*Output, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka output %s: %w", name, err)
	}
	if cfg.Topic == "" {
		cfg.Topic = "sentinelone.{stream}"
	}
	if cfg.DeliveryTimeout == 0 {
		cfg.DeliveryTimeout = DefaultDeliveryTimeout
	}
	o := &Output{name: name, cfg: cfg, reach: newReach(cfg.Brokers), timeout: cfg.DeliveryTimeout}
	base := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchCompression(kgo.ZstdCompression(), kgo.GzipCompression(), kgo.NoCompression()),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),
		kgo.RecordDeliveryTimeout(cfg.DeliveryTimeout),
		kgo.WithHooks(o.reach),
	}
	if cfg.CreateTopics {
		base = append(base, kgo.AllowAutoTopicCreation())
	}
	if cfg.TLS != nil {
		base = append(base, kgo.DialTLSConfig(cfg.TLS))
	}
	if m := mechanism(cfg.SASL); m != nil {
		base = append(base, kgo.SASL(m))
	}
	client, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka output %s: %w", name, err)
	}
	o.client = client
	return o, nil
}

func mechanism(s SASL) sasl.Mechanism {
	switch s.Mechanism {
	case "PLAIN":
		return plain.Auth{User: s.Username, Pass: s.Password}.AsMechanism()
	case "SCRAM-SHA-256":
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha512Mechanism()
	}
	return nil
}

// Name is the output's configured name.
func (o *Output) Name() string { return o.name }

// Topic is where a stream's events go.
func (o *Output) Topic(source, stream string) string {
	return strings.NewReplacer("{source}", source, "{stream}", stream).Replace(o.cfg.Topic)
}

// timeLayout is the record's time in the s1collector.time header: UTC
// with microseconds, as the console writes it.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Deliver produces the batch and waits until every record is acknowledged
// by all in-sync replicas. The producer is idempotent: its own retries do
// not duplicate. It fails when the records are not acknowledged within the
// delivery timeout, and at once when no broker can be reached.
func (o *Output) Deliver(ctx context.Context, b delivery.Batch) error {
	topic := o.Topic(b.Source, b.Stream)
	records := make([]*kgo.Record, len(b.Events))
	for i, e := range b.Events {
		records[i] = &kgo.Record{Topic: topic, Key: []byte(b.Source + "/" + e.ID), Value: e.Decorated()}
		if !e.Time.IsZero() {
			records[i].Headers = []kgo.RecordHeader{{Key: "s1collector.time", Value: []byte(e.Time.UTC().Format(timeLayout))}}
		}
	}
	if err := o.produce(ctx, records); err != nil {
		return fmt.Errorf("produce to %s: %w", topic, explain(err, topic))
	}
	return nil
}

// produce hands the records to the client, bound to a context that ends
// with the delivery timeout (records not yet sent then fail), and waits
// for their acknowledgements, the timeout, or an outage.
func (o *Output) produce(parent context.Context, records []*kgo.Record) error {
	ctx, cancel := context.WithTimeoutCause(parent, o.timeout, errNotAcked)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- o.client.ProduceSync(ctx, records...).FirstErr() }()
	for {
		changed := o.reach.changed()
		if err := o.reach.outage(); err != nil {
			return &unreachableError{err}
		}
		select {
		case err := <-done:
			if errors.Is(err, kgo.ErrRecordTimeout) {
				return fmt.Errorf("%w within %s (delivery_timeout): %w", errNotAcked, o.timeout, err)
			}
			return err
		case <-ctx.Done():
			if parent.Err() != nil {
				return parent.Err()
			}
			return fmt.Errorf("%w within %s (delivery_timeout)", errNotAcked, o.timeout)
		case <-changed:
		}
	}
}

// Close flushes and disconnects.
func (o *Output) Close() error {
	o.client.Close()
	return nil
}

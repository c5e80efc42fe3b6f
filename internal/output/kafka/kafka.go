// Package kafka produces events to Kafka with franz-go: a topic per stream
// (or one topic), the record key a stable id so compaction keeps the latest
// version of a device, and acks from all in-sync replicas before a batch
// counts as delivered.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"s1collector/internal/delivery"
)

// Config configures the output.
type Config struct {
	Brokers []string
	// Topic, with {source} and {stream} replaced. Default sentinelone.{stream}.
	Topic string
}

// Output is a Kafka producer.
type Output struct {
	name   string
	topic  string
	client *kgo.Client
}

// New connects lazily to the brokers.
func New(name string, cfg Config, opts ...kgo.Opt) (*Output, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("kafka output " + name + ": brokers: is required")
	}
	if cfg.Topic == "" {
		cfg.Topic = "sentinelone.{stream}"
	}
	opts = append([]kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchCompression(kgo.ZstdCompression(), kgo.GzipCompression(), kgo.NoCompression()),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),
		kgo.AllowAutoTopicCreation(),
	}, opts...)
	client, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka output %s: %w", name, err)
	}
	return &Output{name: name, topic: cfg.Topic, client: client}, nil
}

// Name is the output's configured name.
func (o *Output) Name() string { return o.name }

// Topic is where a stream's events go.
func (o *Output) Topic(source, stream string) string {
	return strings.NewReplacer("{source}", source, "{stream}", stream).Replace(o.topic)
}

// timeLayout is the record's time in the s1collector.time header: UTC
// with microseconds, as the console writes it.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Deliver produces the batch and waits until every record is acknowledged
// by all in-sync replicas. The producer is idempotent: its own retries do
// not duplicate.
func (o *Output) Deliver(ctx context.Context, b delivery.Batch) error {
	topic := o.Topic(b.Source, b.Stream)
	records := make([]*kgo.Record, len(b.Events))
	for i, e := range b.Events {
		records[i] = &kgo.Record{Topic: topic, Key: []byte(b.Source + "/" + e.ID), Value: e.Decorated()}
		if !e.Time.IsZero() {
			records[i].Headers = []kgo.RecordHeader{{Key: "s1collector.time", Value: []byte(e.Time.UTC().Format(timeLayout))}}
		}
	}
	if err := o.client.ProduceSync(ctx, records...).FirstErr(); err != nil {
		return fmt.Errorf("produce to %s: %w", topic, err)
	}
	return nil
}

// Check asks the brokers for metadata; nothing is produced.
func (o *Output) Check(ctx context.Context) error {
	if err := o.client.Ping(ctx); err != nil {
		return fmt.Errorf("brokers unreachable: %w", err)
	}
	return nil
}

// Close flushes and disconnects.
func (o *Output) Close() error {
	o.client.Close()
	return nil
}

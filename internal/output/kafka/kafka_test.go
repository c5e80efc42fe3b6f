package kafka

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
)

func cluster(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "s1.prod.agents", "s1.prod.threats"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func consume(t *testing.T, brokers []string, topic string, want int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < want {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records from %s", len(out), want, topic)
		}
		out = append(out, fetches.Records()...)
	}
	return out
}

func TestProducesEveryEventKeyedByID(t *testing.T) {
	c := cluster(t)
	o, err := New("kafka", Config{Brokers: c.ListenAddrs(), Topic: "s1.{source}.{stream}"})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, b := range []delivery.Batch{outputtest.Batch("agents", 0, 1000, 100), outputtest.Batch("agents", 1000, 500, 100), outputtest.Batch("threats", 0, 10, 10)} {
		if err := outputtest.Deliver(t.Context(), o, b); err != nil {
			t.Fatal(err)
		}
	}
	agents := consume(t, c.ListenAddrs(), "s1.prod.agents", 1500)
	seen := map[string]bool{}
	for _, r := range agents {
		var ev struct {
			ID     string `json:"id"`
			Source string `json:"_source"`
		}
		if err := json.Unmarshal(r.Value, &ev); err != nil || string(r.Key) != "prod/"+ev.ID || ev.Source != "prod" {
			t.Fatalf("record key %q value %.80s (%v)", r.Key, r.Value, err)
		}
		if seen[ev.ID] {
			t.Fatalf("event %s produced twice", ev.ID)
		}
		seen[ev.ID] = true
	}
	if len(seen) != 1500 || len(consume(t, c.ListenAddrs(), "s1.prod.threats", 10)) != 10 {
		t.Fatalf("%d agents", len(seen))
	}
}

func TestUnreachableBrokers(t *testing.T) {
	o, err := New("kafka", Config{Brokers: []string{"127.0.0.1:1"}}, kgo.RetryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if err := o.Check(ctx); err == nil {
		t.Fatal("check passed with no broker")
	}
	if err := o.Deliver(ctx, outputtest.Batch("agents", 0, 5, 1)); err == nil {
		t.Fatal("deliver succeeded with no broker")
	}
}

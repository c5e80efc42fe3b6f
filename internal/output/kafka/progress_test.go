package kafka

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
)

// failNode makes the produce requests to one broker answer err for every
// partition while down is set, as a broker does while it restarts.
func failNode(c *kfake.Cluster, node int32, code int16, down *atomic.Bool) {
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if !down.Load() || c.CurrentNode() != node {
			return nil, nil, false
		}
		r := req.(*kmsg.ProduceRequest)
		resp := r.ResponseKind().(*kmsg.ProduceResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	})
}

// countByID reads the whole topic back: how many records it holds (its
// partitions' end offsets) and how many times each event id is in it.
func countByID(t *testing.T, c *kfake.Cluster, topic string, partitions int) (map[string]int, int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for p := range partitions {
		lp := kmsg.NewListOffsetsRequestTopicPartition()
		lp.Partition, lp.Timestamp = int32(p), -1
		rt.Partitions = append(rt.Partitions, lp)
	}
	req.Topics = append(req.Topics, rt)
	shards := cl.RequestSharded(t.Context(), req)
	total := 0
	for _, sh := range shards {
		if sh.Err != nil {
			t.Fatal(sh.Err)
		}
		for _, tp := range sh.Resp.(*kmsg.ListOffsetsResponse).Topics {
			for _, p := range tp.Partitions {
				total += int(p.Offset)
			}
		}
	}
	byID := map[string]int{}
	for _, r := range consume(t, c.ListenAddrs(), topic, total) {
		var ev struct{ ID string }
		json.Unmarshal(r.Value, &ev)
		byID[ev.ID]++
	}
	return byID, total
}

// TestPartlyFailedBatchResendsOnlyTheRest: one of three brokers refuses
// its partitions during a first try; the retry produces only the records
// of those partitions, so every record is in the topic once.
func TestPartlyFailedBatchResendsOnlyTheRest(t *testing.T) {
	c := cluster(t, kfake.NumBrokers(3), kfake.SeedTopics(3, "s1.prod.activities"))
	var down atomic.Bool
	down.Store(true)
	const topic = "s1.prod.activities"
	failing := c.LeaderFor(topic, 1)
	for _, p := range []int32{0, 2} {
		if c.LeaderFor(topic, p) == failing {
			if err := c.MoveTopicPartition(topic, p, (failing+1)%3); err != nil {
				t.Fatal(err)
			}
		}
	}
	failNode(c, failing, kerr.NotLeaderForPartition.Code, &down)
	o, err := New("kafka", Config{Brokers: c.ListenAddrs(), Topic: "s1.{source}.{stream}", DeliveryTimeout: time.Second},
		kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	b := outputtest.Batch("activities", 0, 300, 300)
	for try := range 2 {
		if err := o.Deliver(t.Context(), b); err == nil {
			t.Fatalf("try %d: delivered while a broker refuses", try+1)
		}
	}
	down.Store(false)
	for try := 0; ; try++ {
		err := o.Deliver(t.Context(), b)
		if err == nil {
			break
		}
		if try == 10 {
			t.Fatal(err)
		}
		t.Logf("after the broker's return: %v", err)
	}
	byID, total := countByID(t, c, "s1.prod.activities", 3)
	if len(byID) != 300 || total != 300 {
		t.Fatalf("%d records for %d events: the retries produced again what was acknowledged", total, len(byID))
	}
}

// TestRecordTooLargeIsSkipped: a record the brokers can never take is
// skipped with a warning naming it and reported; the others of its batch
// are produced once, and the batch counts as delivered.
func TestRecordTooLargeIsSkipped(t *testing.T) {
	c := cluster(t)
	var logs bytes.Buffer
	o, err := New("kafka", Config{Brokers: c.ListenAddrs(), Topic: "s1.{source}.{stream}", Log: slog.New(slog.NewTextHandler(&logs, nil))},
		kgo.ProducerBatchMaxBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	b := outputtest.Batch("agents", 0, 50, 50)
	b.Events[7].Body = json.RawMessage(`{"id":"` + b.Events[7].ID + `","name":"` + strings.Repeat("x", 100<<10) + `"}`)
	b.Skipped = &delivery.Skips{}
	if err := o.Deliver(t.Context(), b); err != nil {
		t.Fatalf("a record too large held the batch: %v", err)
	}
	if b.Skipped.Len() != 1 || !strings.Contains(logs.String(), "record too large for the Kafka brokers: skipped") || !strings.Contains(logs.String(), "id="+b.Events[7].ID) {
		t.Fatalf("skipped %d; logs: %s", b.Skipped.Len(), logs.String())
	}
	byID, total := countByID(t, c, "s1.prod.agents", 1)
	if total != 49 || byID[b.Events[7].ID] != 0 {
		t.Fatalf("%d records, the large one %d times", total, byID[b.Events[7].ID])
	}
}

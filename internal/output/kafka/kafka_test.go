package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
	"s1collector/internal/retry"
)

func cluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(1, "s1.prod.agents", "s1.prod.threats")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func consume(t *testing.T, brokers []string, topic string, want int, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
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

// deliverAll delivers 1,500 agents in two batches and 10 threats.
func deliverAll(t *testing.T, o *Output) {
	t.Helper()
	for _, b := range []delivery.Batch{outputtest.Batch("agents", 0, 1000, 100), outputtest.Batch("agents", 1000, 500, 100), outputtest.Batch("threats", 0, 10, 10)} {
		if err := outputtest.Deliver(t.Context(), o, b); err != nil {
			t.Fatal(err)
		}
	}
}

// consumedOnce consumes the agents back: each once, keyed by source/id.
func consumedOnce(t *testing.T, brokers []string, opts ...kgo.Opt) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range consume(t, brokers, "s1.prod.agents", 1500, opts...) {
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
	if len(seen) != 1500 || len(consume(t, brokers, "s1.prod.threats", 10, opts...)) != 10 {
		t.Fatalf("%d agents", len(seen))
	}
}

var routes = []Route{{"prod", "agents"}, {"prod", "threats"}}

// roundTrip checks the output, delivers and consumes every record back.
func roundTrip(t *testing.T, c *kfake.Cluster, cfg Config, consumer ...kgo.Opt) {
	t.Helper()
	cfg.Brokers, cfg.Topic, cfg.Routes = c.ListenAddrs(), "s1.{source}.{stream}", routes
	o, err := New("kafka", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, o)
	consumedOnce(t, c.ListenAddrs(), consumer...)
}

func TestProducesEveryEventKeyedByID(t *testing.T) {
	roundTrip(t, cluster(t), Config{})
}

// TestTLSAndSASL: a cluster with TLS and each SASL mechanism takes every
// record, consumed back once; a wrong password and an untrusted
// certificate are refused, saying what to fix; certificate checks are off
// only when asked.
func TestTLSAndSASL(t *testing.T) {
	ca := newTestCA(t)
	for _, mech := range SASLMechanisms {
		t.Run(mech, func(t *testing.T) {
			c := cluster(t, kfake.TLS(ca.serverConfig()), kfake.EnableSASL(), kfake.Superuser(mech, "collector", "pa55word"))
			sasl := SASL{Mechanism: mech, Username: "collector", Password: "pa55word"}
			roundTrip(t, c, Config{TLS: ca.clientConfig(), SASL: sasl}, kgo.DialTLSConfig(ca.clientConfig()), kgo.SASL(mechanism(sasl)))
		})
	}
	c := cluster(t, kfake.TLS(ca.serverConfig()), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "collector", "pa55word"))
	good := SASL{Mechanism: "SCRAM-SHA-512", Username: "collector", Password: "pa55word"}
	tests := []struct {
		name string
		tls  *tls.Config
		sasl SASL
		want string
	}{
		// kfake drops the connection where Kafka answers SASL_AUTHENTICATION_FAILED
		// (TestExplain): the delivery fails at once, retryable.
		{"wrong password", ca.clientConfig(), SASL{Mechanism: "SCRAM-SHA-512", Username: "collector", Password: "wrong"}, "no broker reachable"},
		{"untrusted certificate", &tls.Config{MinVersion: tls.VersionTLS12}, good, "set tls.ca_file"},
		{"certificate not checked, as asked", &tls.Config{InsecureSkipVerify: true}, good, ""},
	}
	for _, tt := range tests {
		o, err := New("kafka", Config{Brokers: c.ListenAddrs(), Topic: "s1.{source}.{stream}", TLS: tt.tls, SASL: tt.sasl})
		if err != nil {
			t.Fatal(err)
		}
		err = o.Deliver(t.Context(), outputtest.Batch("agents", 0, 5, 1))
		o.Close()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "pa55word") {
			t.Errorf("%s: want a permanent error saying %q, got %v", tt.name, tt.want, err)
		}
	}
}

// TestUnreachableBrokersFailAtOnce: brokers that refuse connections fail
// the delivery as soon as each was tried, not at the delivery timeout.
func TestUnreachableBrokersFailAtOnce(t *testing.T) {
	addrs := closedPorts(t, 2)
	o, err := New("kafka", Config{Brokers: addrs, DeliveryTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := o.Check(ctx); err == nil {
		t.Fatal("check passed with no broker")
	}
	err = o.Deliver(ctx, outputtest.Batch("agents", 0, 5, 1))
	var ue *unreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "connection refused") || retry.IsPermanent(err) {
		t.Fatalf("want a retryable 'no broker reachable' naming the refusal, got %v", err)
	}
}

func closedPorts(t *testing.T, n int) []string {
	var out []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ln.Addr().String())
		ln.Close()
	}
	return out
}

// TestSilentBrokerTimesOut: a broker that takes connections and never
// answers fails the delivery at the delivery timeout.
func TestSilentBrokerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	o, err := New("kafka", Config{Brokers: []string{ln.Addr().String()}, DeliveryTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	err = o.Deliver(t.Context(), outputtest.Batch("agents", 0, 5, 1))
	if err == nil || !strings.Contains(err.Error(), "records not acknowledged within 1s (delivery_timeout)") || retry.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
}

// TestTopicsAreNotCreatedUnlessAsked: a topic that does not exist (a typo
// in the template) fails the delivery for good and is not created; with
// create_topics it is created at the first write.
func TestTopicsAreNotCreatedUnlessAsked(t *testing.T) {
	c := cluster(t, kfake.AllowAutoTopicCreation())
	o, _ := New("kafka", Config{Brokers: c.ListenAddrs(), Topic: "s1.{source}.{stream}.typo", Routes: routes})
	defer o.Close()
	err := o.Deliver(t.Context(), outputtest.Batch("agents", 0, 5, 1))
	if !retry.IsPermanent(err) || !strings.Contains(err.Error(), "topic s1.prod.agents.typo does not exist: create it, or set create_topics: true") {
		t.Fatalf("err = %v", err)
	}
	if exists(t, c, "s1.prod.agents.typo") {
		t.Fatal("the topic was created")
	}
	created, _ := New("kafka", Config{Brokers: c.ListenAddrs(), Topic: "s1.{source}.{stream}.new", CreateTopics: true, Routes: routes})
	defer created.Close()
	var w *delivery.Warning
	if err := created.Check(t.Context()); !errors.As(err, &w) || !strings.Contains(err.Error(), "create it at the first write") {
		t.Fatalf("check: %v", err)
	}
	if err := created.Deliver(t.Context(), outputtest.Batch("agents", 0, 5, 1)); err != nil || !exists(t, c, "s1.prod.agents.new") {
		t.Fatalf("with create_topics: %v", err)
	}
}

func exists(t *testing.T, c *kfake.Cluster, topic string) bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(t.Context(), cl)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Topics[0].ErrorCode == 0
}

// TestCheck: test says whether each topic exists and takes writes, without
// producing anything.
func TestCheck(t *testing.T) {
	readOnly := kfake.ACL{Resource: kmsg.ACLResourceTypeTopic, Name: "s1.", Pattern: kmsg.ACLResourcePatternTypePrefixed, Operation: kmsg.ACLOperationDescribe, Allow: true}
	c := cluster(t, kfake.EnableSASL(), kfake.EnableACLs(), kfake.Superuser("PLAIN", "admin", "admin"), kfake.User("PLAIN", "reader", "reader", readOnly))
	tests := []struct {
		name  string
		user  string
		topic string
		want  string
	}{
		{"topics there, writable", "admin", "s1.{source}.{stream}", ""},
		{"a topic missing", "admin", "s1.{source}.agents-typo", "topic s1.prod.agents-typo does not exist: create it, or set create_topics: true"},
		{"not allowed to write", "reader", "s1.{source}.{stream}", "may not write to it: grant it WRITE"},
	}
	for _, tt := range tests {
		o, _ := New("kafka", Config{Brokers: c.ListenAddrs(), Topic: tt.topic, Routes: routes, SASL: SASL{Mechanism: "PLAIN", Username: tt.user, Password: tt.user}})
		err := o.Check(t.Context())
		o.Close()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	for _, topic := range []string{"s1.prod.agents", "s1.prod.threats"} {
		if n := endOffset(t, c, topic); n != 0 {
			t.Errorf("check produced %d records to %s", n, topic)
		}
	}
}

// endOffset is how many records the topic's partition 0 holds.
func endOffset(t *testing.T, c *kfake.Cluster, topic string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.SASL(mechanism(SASL{Mechanism: "PLAIN", Username: "admin", Password: "admin"})))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	p := kmsg.NewListOffsetsRequestTopicPartition()
	p.Timestamp = -1 // the end
	rt.Partitions = append(rt.Partitions, p)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(t.Context(), cl)
	if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("list offsets of %s: %v", topic, err)
	}
	return resp.Topics[0].Partitions[0].Offset
}

// TestExplain: what real brokers answer to a configuration mistake is
// refused for good, with the fix; an outage stays retryable.
func TestExplain(t *testing.T) {
	tests := []struct {
		err       error
		permanent bool
		want      string
	}{
		{&unreachableError{brokerErrors{kerr.SaslAuthenticationFailed}}, true, "check sasl.mechanism, username and password"},
		{kerr.UnknownTopicOrPartition, true, "topic t does not exist: create it, or set create_topics: true"},
		{fmt.Errorf("wrapped: %w", kerr.TopicAuthorizationFailed), true, "not allowed to write to topic t: grant the user WRITE"},
		{&unreachableError{brokerErrors{x509.UnknownAuthorityError{}}}, true, "set tls.ca_file"},
		{&unreachableError{brokerErrors{errors.New("dial tcp: connection refused")}}, false, "no broker reachable: dial tcp: connection refused"},
		{kerr.NotEnoughReplicas, false, "NOT_ENOUGH_REPLICAS"},
	}
	for _, tt := range tests {
		got := explain(tt.err, "t")
		if retry.IsPermanent(got) != tt.permanent || !strings.Contains(got.Error(), tt.want) {
			t.Errorf("%v: got %v (permanent %v)", tt.err, got, retry.IsPermanent(got))
		}
	}
}

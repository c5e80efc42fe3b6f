package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"s1collector/internal/emulator"
)

// kafkaWorkdir collects every stream of the console into a Kafka output
// with the given settings.
func kafkaWorkdir(t *testing.T, c *console, kafka string) *workdir {
	return newWorkdir(t, `state: {path: state.db}
sources:
  - name: emu
    base_url: `+c.URL+`
    token: `+emulator.DefaultToken+`
    lookback: 72h
    outputs: [kafka]
outputs:
  - name: kafka
    type: kafka
    kafka: `+kafka+`
`)
}

// TestKafkaUnreachable: brokers that cannot be reached fail the delivery
// visibly and bound `once`: with two attempts it exits 1 within a minute,
// naming the output, the checkpoint held.
func TestKafkaUnreachable(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 10, HistoryActivities: 50, HistoryThreats: 5})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	broker := ln.Addr().String()
	ln.Close()
	w := kafkaWorkdir(t, c, `{brokers: ["`+broker+`"]}`)
	start := time.Now()
	_, stderr, code := w.run(nil, "once", "--delivery-attempts", "2")
	took := time.Since(start)
	if code != 1 || !strings.Contains(stderr, "output kafka: produce to sentinelone.activities: no broker reachable") || !strings.Contains(stderr, "connection refused") {
		t.Fatalf("exit %d after %s:\n%s", code, took, stderr)
	}
	if took > time.Minute {
		t.Fatalf("once took %s against unreachable brokers", took)
	}
	// Events keep no checkpoint; agents keep only their listing's start.
	if out, _, _ := w.run(nil, "state", "show"); strings.Contains(out, "emu/activities") || strings.Contains(out, "emu/threats") {
		t.Fatalf("a checkpoint moved:\n%s", out)
	}
}

// TestKafkaTLSAndSCRAM: the binary reaches a cluster over TLS with a
// private CA and SASL/SCRAM-SHA-512, as a managed cluster asks; every
// record is consumed back, once.
func TestKafkaTLSAndSCRAM(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 1200, HistoryActivities: 300, HistoryThreats: 20})
	certs := httptest.NewTLSServer(nil) // its certificate is for 127.0.0.1
	defer certs.Close()
	topics := []string{"s1.emu.agents", "s1.emu.activities", "s1.emu.threats"}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...),
		kfake.TLS(&tls.Config{Certificates: certs.TLS.Certificates}), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "collector", "kafka-pa55word"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	w := kafkaWorkdir(t, c, `{brokers: ["`+cluster.ListenAddrs()[0]+`"], topic: "s1.{source}.{stream}", tls: {ca_file: kafka-ca.pem},
      sasl: {mechanism: SCRAM-SHA-512, username: collector, password: "${KAFKA_PASSWORD}"}}`)
	writeCA(t, certs, filepath.Join(w.dir, "kafka-ca.pem"))
	out, _, code := w.run([]string{"KAFKA_PASSWORD=kafka-pa55word"}, "test")
	if code != 0 || !strings.Contains(out, "✓ output kafka (kafka): ready") {
		t.Fatalf("test: exit %d\n%s", code, out)
	}
	if _, stderr, code := w.run([]string{"KAFKA_PASSWORD=kafka-pa55word"}, "once"); code != 0 {
		t.Fatalf("once: exit %d\n%s", code, stderr)
	}
	pool := x509.NewCertPool()
	pool.AddCert(certs.Certificate())
	cl, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DialTLSConfig(&tls.Config{RootCAs: pool}),
		kgo.SASL(scram.Auth{User: "collector", Pass: "kafka-pa55word"}.AsSha512Mechanism()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	seen := map[string]int{}
	for len(seen) < 1200+300+20 && ctx.Err() == nil {
		for _, r := range cl.PollFetches(ctx).Records() {
			var ev struct {
				Source string `json:"_source"`
			}
			if err := json.Unmarshal(r.Value, &ev); err != nil || ev.Source != "emu" {
				t.Fatalf("record %.80s: %v", r.Value, err)
			}
			seen[r.Topic+" "+string(r.Key)]++
		}
	}
	if len(seen) != 1520 {
		t.Fatalf("consumed %d distinct records, want 1,520", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s consumed %d times", k, n)
		}
	}
}

package kafka

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"s1collector/internal/output/outputtest"
)

func BenchmarkDeliver(b *testing.B) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "sentinelone.agents"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	o, err := New("k", Config{Brokers: c.ListenAddrs()})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	outputtest.Bench(b, o)
}

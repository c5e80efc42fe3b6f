package kafka

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"s1collector/internal/delivery"
)

// Check connects to the brokers (TLS and SASL included) and asks, without
// producing anything, whether each topic the output will write to exists,
// has a leader for each partition, and allows this user to write.
func (o *Output) Check(ctx context.Context) error {
	if err := o.client.Ping(ctx); err != nil {
		return fmt.Errorf("brokers unreachable: %w", explain(err, ""))
	}
	topics := o.topics()
	if len(topics) == 0 {
		return nil
	}
	req := kmsg.NewPtrMetadataRequest()
	for _, t := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	req.IncludeTopicAuthorizedOperations = true
	resp, err := req.RequestWith(ctx, o.client)
	if err != nil {
		return fmt.Errorf("ask for the topics' metadata: %w", explain(err, ""))
	}
	var problems, missing []string
	for _, t := range resp.Topics {
		name := ""
		if t.Topic != nil {
			name = *t.Topic
		}
		switch err := kerr.ErrorForCode(t.ErrorCode); {
		case err == kerr.UnknownTopicOrPartition:
			missing = append(missing, name)
		case err != nil:
			problems = append(problems, fmt.Sprintf("topic %s: %v", name, err))
		case !writable(t.AuthorizedOperations):
			problems = append(problems, fmt.Sprintf("topic %s: this user may not write to it: grant it WRITE", name))
		case leaderless(t.Partitions):
			problems = append(problems, fmt.Sprintf("topic %s: a partition has no leader", name))
		}
	}
	switch {
	case len(problems) > 0:
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	case len(missing) > 0 && o.cfg.CreateTopics:
		return &delivery.Warning{Msg: fmt.Sprintf("topic %s does not exist yet: the brokers create it at the first write (create_topics: true)", strings.Join(missing, ", "))}
	case len(missing) > 0:
		return fmt.Errorf("topic %s does not exist: create it, or set create_topics: true", strings.Join(missing, ", "))
	}
	return nil
}

// topics are the topics of the output's routes, each once.
func (o *Output) topics() []string {
	var out []string
	for _, r := range o.cfg.Routes {
		if t := o.Topic(r.Source, r.Stream); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// writable reads the WRITE bit of a topic's authorized operations; brokers
// that do not say (older ones) are taken at their word at the first write.
func writable(ops int32) bool {
	return ops == math.MinInt32 || ops&(1<<int(kmsg.ACLOperationWrite)) != 0
}

func leaderless(parts []kmsg.MetadataResponseTopicPartition) bool {
	return slices.ContainsFunc(parts, func(p kmsg.MetadataResponseTopicPartition) bool { return p.Leader < 0 })
}

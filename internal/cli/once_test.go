package cli

import (
	"errors"
	"strings"
	"testing"

	"s1collector/internal/collector"
	"s1collector/internal/delivery"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
)

// TestOnceSkipsStreamsARunningReplicaHolds: a stream a running replica
// holds is reported as skipped, naming the replica, and does not fail the
// run; a stream that failed does.
func TestOnceSkipsStreamsARunningReplicaHolds(t *testing.T) {
	stream := func(api string) *pipeline.Stream {
		return &pipeline.Stream{Source: delivery.SourceInfo{Name: "emu"}, API: sentinelone.Endpoint(api)}
	}
	results := []pipeline.StreamResult{
		{Stream: stream("threats"), Err: collector.HeldError{Owner: "r1-abc123"}},
		{Stream: stream("agents")},
	}
	var out strings.Builder
	if failed := printResults(&out, results, func(s string) string { return s }); failed != 0 {
		t.Errorf("%d failed:\n%s", failed, out.String())
	}
	if !strings.Contains(out.String(), "! emu/threats: skipped: replica r1-abc123 holds this stream and collects it\n") {
		t.Errorf("held stream not reported as skipped:\n%s", out.String())
	}
	results[1].Err = errors.New("console down")
	if failed := printResults(&out, results, func(s string) string { return s }); failed != 1 {
		t.Errorf("%d failed, not 1", failed)
	}
}

package pipeline

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"s1collector/internal/delivery"
	"s1collector/internal/sentinelone"
)

// skippingOutput accepts every batch but skips, for good, the events
// whose id ends in 7 (as the intake does with events over its size).
type skippingOutput struct{ fakeOutput }

func (o *skippingOutput) Deliver(ctx context.Context, b delivery.Batch) error {
	for _, e := range b.Events {
		if strings.HasSuffix(e.ID, "7") {
			b.Skipped.Add(e.ID)
		}
	}
	return o.fakeOutput.Deliver(ctx, b)
}

// TestSkippedByAnOutputAreNotDelivered: events an output skipped count as
// skipped, not delivered, in the cycle's result and the status, however
// many outputs skipped them.
func TestSkippedByAnOutputAreNotDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		st := newStream(t, emu, sentinelone.Activities, newMemStore(), &skippingOutput{fakeOutput{name: "a"}}, &skippingOutput{fakeOutput{name: "b"}}, &fakeOutput{name: "c"})
		res, err := st.Cycle(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, e := range st.Outputs[2].(*fakeOutput).events {
			if strings.HasSuffix(e.ID, "7") {
				want++
			}
		}
		snap := st.Status.Snapshot()
		if want == 0 || res.Skipped != want || res.Delivered != 2500-want || snap.Skipped != int64(want) || snap.Delivered != int64(2500-want) {
			t.Fatalf("%d skipped by the outputs; result: %d delivered, %d skipped; status: %d delivered, %d skipped",
				want, res.Delivered, res.Skipped, snap.Delivered, snap.Skipped)
		}
	})
}

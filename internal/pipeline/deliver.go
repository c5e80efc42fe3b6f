package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
)

// deliver hands the batch to every output and returns once all accepted
// it. An output that fails is retried with backoff, alone: outputs that
// accepted are not sent the batch again. Only the end of ctx stops it.
func (s *Stream) deliver(ctx context.Context, b delivery.Batch) error {
	pending := append([]delivery.Output(nil), s.Outputs...)
	policy := s.Delivery
	if policy.Initial == 0 {
		policy = retry.Policy{Initial: time.Second, Max: 5 * time.Minute}
	}
	policy.Notify = func(err error, attempt int, wait time.Duration) {
		s.Log.Error("output failed; batch held, checkpoint not moved", "attempt", attempt, "retry_in", wait.Round(time.Millisecond), "error", err)
	}
	return policy.Do(ctx, func(ctx context.Context) error {
		var errs []error
		still := pending[:0]
		for _, o := range pending {
			if err := o.Deliver(ctx, b); err != nil {
				still = append(still, o)
				errs = append(errs, fmt.Errorf("output %s: %w", o.Name(), err))
				s.Status.outputFailed(o.Name(), err)
				continue
			}
			s.Status.outputOK(o.Name())
		}
		pending = still
		err := errors.Join(errs...)
		if retry.IsPermanent(err) {
			// A permanent refusal still holds the checkpoint: keep trying at
			// the slowest pace rather than drop data.
			// The wrapper drops the permanent mark, which would end the retries.
			return &retry.ThrottleError{Err: errors.New(err.Error()), Delay: policy.Max}
		}
		return err
	})
}

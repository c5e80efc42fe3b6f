package sekoia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"s1collector/internal/output/httpout"
	"s1collector/internal/retry"
)

// ingested waits for the ingestion task a push was answered with; an
// answer without one (older platforms) means the push was taken.
func (o *Assets) ingested(ctx context.Context, resp []byte) error {
	var r struct {
		TaskID string `json:"task_id"`
	}
	if json.Unmarshal(resp, &r) != nil || r.TaskID == "" {
		return nil
	}
	return o.waitTask(ctx, r.TaskID)
}

// task is what GET /api/v1/tasks/{id} answers.
type task struct {
	Status  string `json:"status"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// waitTask polls the task until it ends. FINISHED is delivered; any other
// end is an error that holds the checkpoint. A task still pending after
// TaskTimeout, or one the key may not read, counts as accepted — the
// platform took the push — and is reported.
func (o *Assets) waitTask(ctx context.Context, id string) error {
	u := o.base + "/api/v1/tasks/" + url.PathEscape(id)
	start, interval := time.Now(), o.pollFirst
	status := "PENDING"
	for {
		if err := sleep(ctx, interval); err != nil {
			return err
		}
		resp, err := httpout.Do(ctx, o.client, http.MethodGet, u, o.header(), nil)
		var t task
		switch {
		case err == nil && json.Unmarshal(resp, &t) == nil && t.Status != "":
			status = t.Status
			if done, err := t.outcome(id); done {
				return err
			}
		case err == nil || retry.IsPermanent(err):
			o.cannotFollow.Do(func() {
				o.log.Warn("cannot follow Sekoia.io ingestion tasks: pushes count as accepted when the API takes them", "task", id, "answer", answer(resp, err))
			})
			return nil
		}
		if time.Since(start) >= o.cfg.TaskTimeout {
			o.log.Warn("Sekoia.io ingestion task still not finished: counted as accepted", "task", id, "status", status, "after", o.cfg.TaskTimeout)
			return nil
		}
		interval = o.nextPoll(interval, time.Since(start), err)
	}
}

// outcome tells whether the task ended, and how.
func (t task) outcome(id string) (bool, error) {
	switch t.Status {
	case "PENDING", "RUNNING":
		return false, nil
	case "FINISHED":
		return true, nil
	}
	why := t.Error
	if why == "" {
		why = t.Message
	}
	return true, fmt.Errorf("Sekoia.io ingestion task %s ended %s: %s", id, t.Status, why)
}

// nextPoll polls every pollFirst for 2 s (most tasks end in about one),
// then backs off to pollMax; a throttled poll waits as the API asks.
func (o *Assets) nextPoll(interval, elapsed time.Duration, err error) time.Duration {
	var te *retry.ThrottleError
	if errors.As(err, &te) {
		return te.Delay
	}
	if elapsed < 2*time.Second {
		return o.pollFirst
	}
	return min(2*interval, o.pollMax)
}

func answer(resp []byte, err error) string {
	if err != nil {
		return err.Error()
	}
	return string(resp[:min(len(resp), 200)])
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

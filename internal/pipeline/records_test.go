package pipeline

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// consoleOf answers every list request with one page holding records.
func consoleOf(t *testing.T, records ...string) *sentinelone.Client {
	t.Helper()
	return consoleAnswering(t, `{"data":[`+strings.Join(records, ",")+`],"pagination":{"nextCursor":null,"totalItems":`+strconv.Itoa(len(records))+`}}`)
}

// consoleAnswering is a client of a console that answers every request
// with body, once (no retries).
func consoleAnswering(t *testing.T, body string) *sentinelone.Client {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: "t", Retry: retry.Policy{MaxAttempts: 1}},
		&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
				Body: io.NopCloser(strings.NewReader(body))}, nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOddRecordsAreDeliveredAndCounted: a record whose fields have
// unexpected types — a threat whose threatInfo is not an object, an
// activity whose createdAt is a number, an agent whose cpuCount is a list —
// is delivered (events as they came, agents mapped without the field),
// counted as odd in the result, the status and its cycle, and does not
// move the checkpoint when its time cannot be read. Only what cannot be
// delivered at all (not an object, no id) is skipped, and counted.
func TestOddRecordsAreDeliveredAndCounted(t *testing.T) {
	good := map[sentinelone.Endpoint]string{
		sentinelone.Threats:    `{"id":"t1","threatInfo":{"updatedAt":"2026-03-01T10:00:00.000000Z","threatName":"x"}}`,
		sentinelone.Activities: `{"id":"a1","activityType":27,"createdAt":"2026-03-01T10:00:00.000000Z"}`,
		sentinelone.Agents:     `{"id":"g1","computerName":"pc","updatedAt":"2026-03-01T10:00:00.000000Z"}`,
		sentinelone.StarAlerts: `{"alertInfo":{"alertId":"s1","createdAt":"2026-03-01T10:00:00.000000Z"},"ruleInfo":{"name":"r"}}`,
	}
	odd := map[sentinelone.Endpoint][]string{
		sentinelone.Threats: {`{"id":"t2","threatInfo":"not an object","agentRealtimeInfo":[]}`,
			`{"id":"t3","threatInfo":{"updatedAt":{"when":"now"}}}`},
		sentinelone.Activities: {`{"id":"a2","activityType":"27","createdAt":1772359200}`,
			`{"id":"a3","activityType":{"n":1},"createdAt":"2026-03-01T09:00:00.000000Z"}`},
		sentinelone.Agents: {`{"id":"g2","cpuCount":[4],"updatedAt":"2026-03-01T09:00:00.000000Z"}`,
			`{"id":"g3","isActive":"maybe","updatedAt":["x"]}`},
		sentinelone.StarAlerts: {`{"alertInfo":{"alertId":"s2","createdAt":1772359200}}`,
			`{"alertInfo":{"alertId":"s3","createdAt":"2026-03-01T09:00:00.000000Z","updatedAt":{}}}`},
	}
	for _, api := range []sentinelone.Endpoint{sentinelone.Agents, sentinelone.Activities, sentinelone.Threats, sentinelone.StarAlerts} {
		t.Run(string(api), func(t *testing.T) {
			records := append([]string{good[api]}, odd[api]...)
			records = append(records, `7`, `{"computerName":"no id","alertInfo":{}}`)
			out := &fakeOutput{name: "o"}
			store := newMemStore()
			var logs strings.Builder
			s := &Stream{Source: delivery.SourceInfo{Name: "src"}, API: api, Lister: consoleOf(t, records...), Store: store,
				Outputs: []delivery.Output{out}, Profile: transform.ProfileSekoia, Lookback: time.Hour, FullSync: 24 * time.Hour,
				Now: func() time.Time { return time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC) },
				Log: slog.New(slog.NewTextHandler(&logs, nil)), Status: NewStatus("src", string(api))}
			if api == sentinelone.Agents {
				// Between full listings: one walk. (A listing reads the console
				// twice, ranges then catch-up, and this console ignores filters.)
				caughtUp(t, s, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
			}
			results := (&Collector{Streams: []*Stream{s}}).Once(t.Context(), nil)
			res, err := results[0].Result, results[0].Err
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), "msg=\"cycle done\"") || !strings.Contains(logs.String(), "skipped=2 odd=2") {
				t.Errorf("the cycle's log line does not count them:\n%s", logs.String())
			}
			if res.Read != 5 || res.Delivered != 3 || res.Odd != 2 || res.Skipped != 2 {
				t.Fatalf("read %d, delivered %d, odd %d, skipped %d; want 5, 3, 2, 2", res.Read, res.Delivered, res.Odd, res.Skipped)
			}
			for i, ev := range out.events {
				if api != sentinelone.Agents && string(ev.Body) != records[i] {
					t.Errorf("event %d is not the record as it came:\n%s\n%s", i, ev.Body, records[i])
				}
				if want := string(rune('1' + i)); !strings.HasSuffix(ev.ID, want) {
					t.Errorf("event %d has id %q", i, ev.ID)
				}
			}
			v := s.Status.Snapshot()
			if v.Odd != 2 || v.Skipped != 2 || len(v.History) != 1 || v.History[0].Odd != 2 || v.History[0].Skipped != 2 {
				t.Errorf("status odd %d skipped %d history %+v", v.Odd, v.Skipped, v.History)
			}
			cp, _ := store.Load(t.Context(), s.Key())
			if api != sentinelone.Agents && !cp.Watermark.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) {
				t.Errorf("watermark %s: moved by a record whose time could not be read", cp.Watermark)
			}
		})
	}
}

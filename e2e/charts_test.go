package e2e

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/series"
	"s1collector/internal/state"
)

// seed writes series into the workdir's state file, as a collector that
// ran before would have.
func seed(t *testing.T, w *workdir, day map[string][]series.Bucket) {
	t.Helper()
	st, err := state.OpenBolt(filepath.Join(w.dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for key, bs := range day {
		if err := st.AddBuckets(t.Context(), key, bs); err != nil {
			t.Fatal(err)
		}
	}
}

// outage is where a recorded day has its failures: three buckets, 17
// hours before now, with two failed cycles each.
func outage(now time.Time, i int) bool {
	d := now.Sub(series.Start(now).Add(-time.Duration(series.PerDay-1-i) * series.Width))
	return d > 17*time.Hour && d <= 17*time.Hour+3*series.Width
}

// recordedDay is a day of a stream, up to the bucket before now's:
// events following office hours (agents: a full listing at 02:00 UTC),
// two cycles a bucket, a few seconds of lag, and the outage: cycles fail,
// the lag grows, the next bucket catches up.
func recordedDay(stream string, now time.Time) []series.Bucket {
	first := series.Start(now).Add(-time.Duration(series.PerDay-1) * series.Width)
	var bs []series.Bucket
	for i := range series.PerDay - 1 {
		start := first.Add(time.Duration(i) * series.Width)
		hour := float64(start.Hour()) + float64(start.Minute())/60
		office := math.Max(0, math.Sin((hour-7)/12*math.Pi))
		b := series.Bucket{Start: start, Cycles: 2, LagSeconds: 2 + 3*office, LastDelivery: start.Add(9 * time.Minute)}
		switch stream {
		case "agents":
			b.Delivered = int64(20 + 180*office)
			if start.Hour() == 2 && start.Minute() == 0 {
				b.Delivered, b.LagSeconds = 5000, 95
			}
		case "activities":
			b.Delivered = int64(60 + 900*office)
		case "threats":
			b.Delivered = int64(i % 7 / 5 * (1 + int(4*office)))
		case "alerts":
			b.Delivered = int64(i%3/2) + int64(12*office)
		}
		if outage(now, i) {
			k := float64(i % 3)
			b.Delivered, b.Failed, b.LagSeconds, b.LastDelivery = 0, 2, 300+300*k, time.Time{}
		} else if outage(now, i-1) {
			b.Delivered *= 4
		}
		if b.Delivered == 0 {
			b.LastDelivery = time.Time{}
		}
		bs = append(bs, b)
	}
	return bs
}

// streamDay is what the test reads of a stream in /api/status.
type streamDay struct {
	Stream       string    `json:"stream"`
	State        string    `json:"state"`
	Quiet        bool      `json:"quiet"`
	RecordsToday int64     `json:"records_today"`
	TodaySince   time.Time `json:"records_today_since"`
	LastDelivery time.Time `json:"last_delivery"`
	Last24h      struct {
		From         time.Time `json:"from"`
		Delivered    []int64   `json:"delivered"`
		Cycles       []int64   `json:"cycles"`
		FailedCycles []int64   `json:"failed_cycles"`
	} `json:"last_24h"`
}

func days(t *testing.T, url string) map[string]streamDay {
	t.Helper()
	_, body := fetch(t, url+"/api/status")
	var st struct {
		Sources []struct {
			Name    string      `json:"name"`
			Streams []streamDay `json:"streams"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("api/status: %v\n%s", err, body)
	}
	out := map[string]streamDay{}
	for _, src := range st.Sources {
		for _, s := range src.Streams {
			out[src.Name+"/"+s.Stream] = s
		}
	}
	return out
}

// total adds up the stream's last 24 hours.
func (d streamDay) total() series.Bucket {
	var t series.Bucket
	for i := range d.Last24h.Delivered {
		t.Add(series.Bucket{Delivered: d.Last24h.Delivered[i], Cycles: d.Last24h.Cycles[i], Failed: d.Last24h.FailedCycles[i]})
	}
	return t
}

// TestChartsSurviveRestart: run, stop, run again: the day's buckets —
// what the first run delivered, its cycles — are still on the second
// run's page, and today's count keeps what the first run delivered.
func TestChartsSurviveRestart(t *testing.T) {
	t.Parallel()
	c := startConsole(t, emulator.Config{Agents: 300, HistoryActivities: 250, HistoryThreats: 12})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	started := time.Now()
	cmd, url, stderr := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	waitFor(t, stderr, `"msg":"cycle done"`, len(streams))
	first := days(t, url)
	for _, s := range streams {
		d := first["emu/"+s]
		want := int64(len(w.records("emu", s)))
		if got := d.total().Delivered; got != want || len(d.Last24h.Delivered) != series.PerDay {
			t.Fatalf("first run, %s: the chart counts %d in %d buckets, want %d in %d", s, got, len(d.Last24h.Delivered), want, series.PerDay)
		}
		if d.TodaySince.Equal(series.Midnight(started)) && d.RecordsToday != want { // unless midnight UTC just passed
			t.Errorf("first run, %s: today %d, want %d", s, d.RecordsToday, want)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("stop: %v\n%s", err, stderr.String())
	}

	_, url, stderr = runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	waitFor(t, stderr, `"msg":"cycle done"`, len(streams))
	second := days(t, url)
	for _, s := range streams {
		before, after := first["emu/"+s], second["emu/"+s]
		delivered := int64(len(w.records("emu", s)))
		if got := after.total(); got.Delivered != delivered || got.Cycles < before.total().Cycles+1 {
			t.Errorf("second run, %s: the chart counts %d events in %d cycles; want the %d delivered over both runs, in %d cycles and more",
				s, got.Delivered, got.Cycles, delivered, before.total().Cycles+1)
		}
		if after.TodaySince.Equal(before.TodaySince) && after.RecordsToday != delivered {
			t.Errorf("second run, %s: today %d, want the %d delivered today over both runs", s, after.RecordsToday, delivered)
		}
	}
	if _, metrics := fetch(t, url+"/metrics"); !strings.Contains(metrics, `s1collector_events_delivered_total{source="emu",stream="activities"} 0`) {
		t.Error("the second run delivered activities again: this test expects the charts to keep what the first delivered")
	}
}

// TestQuietWhenActivitiesStop: a console whose activities stop while the
// collector keeps running; a day earlier the same hour had thousands. Once
// its cycles have found nothing for three intervals, the stream is quiet
// on the page, in /api/status and in /metrics — and only it: agents keep
// changing. When activities come back, the flag goes.
func TestQuietWhenActivitiesStop(t *testing.T) {
	t.Parallel()
	c := startConsole(t, emulator.Config{Agents: 100, HistoryActivities: 20, HistoryThreats: 2, Speed: 1,
		ActivitiesPerMinute: 300, AgentUpdatesPerMinute: 120})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10s\n"))
	now := time.Now()
	var dayBefore []series.Bucket
	for d := -40 * time.Minute; d <= 40*time.Minute; d += series.Width {
		at := now.Add(-series.Span + d)
		dayBefore = append(dayBefore, series.Bucket{Start: at, Delivered: 3000, Cycles: 60, LagSeconds: 1, LastDelivery: at})
	}
	seed(t, w, map[string][]series.Bucket{"emu/activities": dayBefore, "emu/agents": dayBefore})
	_, url, stderr := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	waitFor(t, stderr, `"msg":"cycle done"`, 2*len(streams))
	if d := days(t, url); d["emu/activities"].Quiet || d["emu/agents"].Quiet {
		t.Fatal("quiet while events arrive")
	}

	c.SetActivitiesPerMinute(0)
	var d map[string]streamDay
	took := eventually(t, 3*time.Minute, "activities flagged quiet", func() bool {
		d = days(t, url)
		return d["emu/activities"].Quiet
	})
	t.Logf("quiet %s after the activities stopped", took.Round(time.Second))
	act := d["emu/activities"]
	if silent := time.Since(act.LastDelivery); silent < 30*time.Second {
		t.Errorf("quiet after %s without an event, less than three intervals of 10s", silent)
	}
	if d["emu/agents"].Quiet || d["emu/threats"].Quiet {
		t.Error("agents or threats flagged quiet: only activities stopped")
	}
	_, metrics := fetch(t, url+"/metrics")
	for _, want := range []string{`s1collector_stream_quiet{source="emu",stream="activities"} 1`, `s1collector_stream_quiet{source="emu",stream="agents"} 0`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if _, page := fetch(t, url+"/"); !strings.Contains(page, "emu/activities is quiet:</strong> nothing delivered since") {
		t.Error("the page does not say the stream is quiet")
	}

	c.SetActivitiesPerMinute(300)
	eventually(t, 2*time.Minute, "the quiet flag gone once activities are back", func() bool {
		return !days(t, url)["emu/activities"].Quiet
	})
}

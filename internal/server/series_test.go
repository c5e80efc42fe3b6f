package server

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"s1collector/internal/pipeline"
	"s1collector/internal/series"
)

// fakeSeries is a store's saved series.
type fakeSeries struct {
	data  map[string][]series.Bucket
	err   error
	reads int
}

func (f *fakeSeries) Buckets(_ context.Context, since time.Time) (map[string][]series.Bucket, error) {
	f.reads++
	if f.err != nil {
		return nil, f.err
	}
	out := map[string][]series.Bucket{}
	for k, bs := range f.data {
		for _, b := range bs {
			if !b.Start.Before(series.Start(since)) {
				out[k] = append(out[k], b)
			}
		}
	}
	return out, nil
}

// busyDay is two days of activities: 300 every 10 minutes, nothing for the last 4 hours (more than 3 intervals of an hour),
// and two failed cycles 3 hours ago.
func busyDay(now time.Time) []series.Bucket {
	var bs []series.Bucket
	for d := series.Keep; d > 4*time.Hour; d -= series.Width {
		t := now.Add(-d)
		bs = append(bs, series.Bucket{Start: t, Delivered: 300, Cycles: 10, LagSeconds: 2, LastDelivery: t})
	}
	bs = append(bs, series.Bucket{Start: now.Add(-3 * time.Hour), Cycles: 2, Failed: 2, LagSeconds: 95})
	return bs
}

// serveStreams serves a healthy source and one whose token the console
// refuses, each with an activities stream that found nothing new in its
// cycle, and their saved series.
func serveStreams(t *testing.T, saved SeriesReader) *httptest.Server {
	t.Helper()
	return serveSources(t, time.Minute, saved, Auth{})
}

// TestQuietStreamIsFlagged: a stream whose cycles succeed but that has
// delivered nothing for 4 hours (its interval is 1h), where in the two
// days before it never went 10 minutes without, is quiet on the page, in /api/status and in
// /metrics; a failing stream with the same history is not (its failure
// says more).
func TestQuietStreamIsFlagged(t *testing.T) {
	now := time.Now()
	ts := serveStreams(t, &fakeSeries{data: map[string][]series.Bucket{"healthy/activities": busyDay(now), "expired/activities": busyDay(now)}})
	_, body := get(t, ts.URL+"/api/status")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	healthy, expired := st.Sources[0].Streams[0], st.Sources[1].Streams[0]
	if !healthy.Quiet || healthy.UsualSilence < 600 || healthy.UsualSilence > 1200 || healthy.LastDelivery == nil || now.Sub(*healthy.LastDelivery) < 4*time.Hour {
		t.Errorf("healthy stream: quiet %v, usual silence %vs, last delivery %v", healthy.Quiet, healthy.UsualSilence, healthy.LastDelivery)
	}
	if expired.Quiet {
		t.Error("a stopped stream is flagged quiet")
	}
	_, metrics := get(t, ts.URL+"/metrics")
	for _, want := range []string{`s1collector_stream_quiet{source="healthy",stream="activities"} 1`, `s1collector_stream_quiet{source="expired",stream="activities"} 0`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	_, page := get(t, ts.URL+"/")
	if !strings.Contains(page, "healthy/activities is quiet:</strong> nothing delivered since") || strings.Contains(page, "expired/activities is quiet") {
		t.Error("the page does not flag the quiet stream alone")
	}
}

// TestDayOfSeriesOnPageAndAPI: /api/status has each stream's last 24
// hours, 144 buckets, and today's count from the saved series (kept over
// restarts); the page draws them as SVG, the failures marked, with a text
// alternative.
func TestDayOfSeriesOnPageAndAPI(t *testing.T) {
	now := time.Now()
	day := busyDay(now)
	ts := serveStreams(t, &fakeSeries{data: map[string][]series.Bucket{"healthy/activities": day}})
	_, body := get(t, ts.URL+"/api/status")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`\n +"delivered": \[[0-9]+(,[0-9]+){143}\],\n`).MatchString(body) {
		t.Error("the series are not lists of numbers on one line each")
	}
	s := st.Sources[0].Streams[0]
	d := s.Last24h
	if d == nil || d.BucketSeconds != 600 || !d.From.Equal(series.Start(now).Add(-time.Duration(series.PerDay-1)*series.Width)) {
		t.Fatalf("last_24h: %+v", d)
	}
	for name, n := range map[string]int{"delivered": len(d.Delivered), "cycles": len(d.Cycles), "failed": len(d.FailedCycles), "lag": len(d.LagSeconds)} {
		if n != series.PerDay {
			t.Errorf("last_24h has %d values of %s, want %d", n, name, series.PerDay)
		}
	}
	var failed, delivered int64
	for i := range d.FailedCycles {
		failed += d.FailedCycles[i]
		delivered += d.Delivered[i]
	}
	// The healthy stream's own cycle adds a bucket of its own (one cycle),
	// not yet saved: it counts too.
	if failed != 2 || delivered != series.Since(day, d.From) || d.Cycles[series.PerDay-1] < 1 || slices.Max(d.LagSeconds) != 95 {
		t.Errorf("failed cycles %d, delivered %d, the last bucket's cycles %d, largest lag %g", failed, delivered, d.Cycles[series.PerDay-1], slices.Max(d.LagSeconds))
	}
	if want := series.Since(day, series.Midnight(now)); s.RecordsToday != want || !s.TodaySince.Equal(series.Midnight(now)) {
		t.Errorf("today %d since %s, want %d since midnight", s.RecordsToday, s.TodaySince, want)
	}
	_, page := get(t, ts.URL+"/")
	svgs := regexp.MustCompile(`(?s)<svg viewBox="0 0 720 150".*?</svg>`).FindAllString(page, -1)
	if len(svgs) != 2 {
		t.Fatalf("%d charts on the page, want one per stream", len(svgs))
	}
	var chart struct {
		Title string `xml:"title"`
		Desc  string `xml:"desc"`
		Paths []struct {
			Class string `xml:"class,attr"`
			D     string `xml:"d,attr"`
		} `xml:"path"`
		G []struct {
			Class string     `xml:"class,attr"`
			Rects []struct{} `xml:"rect"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal([]byte(svgs[0]), &chart); err != nil {
		t.Fatalf("the chart is not well-formed SVG: %v\n%s", err, svgs[0])
	}
	var bars []int // the buckets drawn, by place
	for _, p := range chart.Paths {
		if p.Class == "bars" {
			for _, m := range regexp.MustCompile(`M([0-9.]+) `).FindAllStringSubmatch(p.D, -1) {
				x, _ := strconv.ParseFloat(m[1], 64)
				bars = append(bars, int(x/slot))
			}
		}
	}
	var want []int
	for i, n := range d.Delivered {
		if n > 0 {
			want = append(want, i)
		}
	}
	if !slices.Equal(bars, want) {
		t.Errorf("bars drawn at buckets %v, want %v", bars, want)
	}
	fails := 0
	for _, g := range chart.G {
		if g.Class == "fails" {
			fails = len(g.Rects)
		}
	}
	if fails != 1 {
		t.Errorf("%d failure marks, want 1", fails)
	}
	for _, want := range []string{"events delivered in the last 24 hours", "2 failed cycle(s), at ", "lag up to 1m", "quiet: silent for longer than usual (its longest silence of the two days before was 10m)"} {
		if !strings.Contains(chart.Desc, want) {
			t.Errorf("the text alternative lacks %q: %s", want, chart.Desc)
		}
	}
}

// TestSavedSeriesReadOnlyWhenNeeded: the page, API and scrapes share one
// read of the series until a stream saves its own or it is seriesFresh
// old; a failed read keeps showing the last one, and says why.
func TestSavedSeriesReadOnlyWhenNeeded(t *testing.T) {
	now := time.Now()
	f := &fakeSeries{data: map[string][]series.Bucket{"a/agents": {{Start: now, Delivered: 5}}}}
	srv, _ := New(Config{Version: "test"})
	read := func(at time.Time, mark int64) (int, string) {
		got, err := srv.savedSeries(f, at, mark)
		return len(got["a/agents"]), err
	}
	steps := []struct {
		name  string
		at    time.Duration
		mark  int64
		fail  error
		reads int
		err   string
	}{
		{"first", 0, 0, nil, 1, ""},
		{"again at once", time.Second, 0, nil, 1, ""},
		{"a stream saved", 2 * time.Second, 1, nil, 2, ""},
		{"fresh no more", 2*time.Second + seriesFresh, 1, nil, 3, ""},
		{"store down", 4*time.Second + 2*seriesFresh, 1, errors.New("connection refused"), 4, "connection refused"},
		{"store down, not asked again at once", 5*time.Second + 2*seriesFresh, 1, errors.New("connection refused"), 4, "connection refused"},
		{"store back", 5*time.Second + 3*seriesFresh, 1, nil, 5, ""},
	}
	for _, s := range steps {
		f.err = s.fail
		n, err := read(now.Add(s.at), s.mark)
		if f.reads != s.reads || err != s.err || n != 1 {
			t.Errorf("%s: %d reads, error %q, %d buckets; want %d reads, error %q, 1 bucket", s.name, f.reads, err, n, s.reads, s.err)
		}
	}
}

// TestOneLineNumbers: lists of numbers of indented JSON go on one line;
// everything else stays as it was, and the JSON means the same.
func TestOneLineNumbers(t *testing.T) {
	v := map[string]any{
		"lag":     []float64{0, 1.5, -2, 1e21},
		"counts":  []int{3, 0, 12},
		"empty":   []int{},
		"names":   []string{"a [", "1", "\n2"},
		"objects": []map[string]int{{"a": 1}},
		"mixed":   []any{1, "x"},
		"nested":  map[string]any{"deeper": [][]int{{1, 2}, {3}}},
		"text":    "[\n1\n]",
	}
	in, _ := json.MarshalIndent(v, "", "  ")
	out := oneLineNumbers(in)
	for _, want := range []string{`"lag": [0,1.5,-2,1e+21]`, `"counts": [3,0,12]`, `"empty": []`, "\n      [1,2],\n      [3]\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	for _, kept := range []string{`"a ["`, `"\n2"`, `"mixed": [` + "\n"} {
		if !strings.Contains(string(out), kept) {
			t.Errorf("changed %q:\n%s", kept, out)
		}
	}
	var a, b any
	if err := json.Unmarshal(in, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &b); err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("the JSON changed meaning (%v):\n%s", err, out)
	}
}

// TestFutureBucketsAreLeftOut: buckets dated in the future (the clock was
// a year ahead, then corrected) count neither today nor in the chart, do
// not make the last delivery a future one ("-31535979s ago") nor keep a
// dead stream from being quiet; the server says so once in its log.
func TestFutureBucketsAreLeftOut(t *testing.T) {
	now := time.Now()
	day := busyDay(now)
	ahead := now.Add(365 * 24 * time.Hour)
	saved := append(slices.Clone(day), series.Bucket{Start: now.Add(2 * time.Hour), Delivered: 500, Cycles: 1, LastDelivery: now.Add(2 * time.Hour)},
		series.Bucket{Start: ahead, Delivered: 7000, Cycles: 1, LastDelivery: ahead})
	var logs syncBuffer
	ts := serveSourcesLogging(t, time.Minute, &fakeSeries{data: map[string][]series.Bucket{"healthy/activities": saved}}, Auth{}, &logs)
	var st Status
	for range 2 {
		_, body := get(t, ts.URL+"/api/status")
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
	}
	s := st.Sources[0].Streams[0]
	var charted int64
	for _, n := range s.Last24h.Delivered {
		charted += n
	}
	if want := series.Since(day, series.Midnight(st.Now)); s.RecordsToday != want {
		t.Errorf("today %d, want %d (the future buckets left out)", s.RecordsToday, want)
	}
	if want := series.Since(day, st.Now.Add(-series.Span)); charted > want {
		t.Errorf("the chart holds %d, want at most %d", charted, want)
	}
	if s.LastDelivery == nil || s.LastDelivery.After(st.Now) || !s.Quiet {
		t.Errorf("last delivery %v, quiet %v: want 4 hours ago, quiet", s.LastDelivery, s.Quiet)
	}
	_, page := get(t, ts.URL+"/")
	if regexp.MustCompile(`-\d+[smhd] ago`).MatchString(page) {
		t.Error("the page says a delivery happened in the future")
	}
	// "Recent cycles" counts what each cycle delivered, not since the start
	if !strings.Contains(page, `<th class="num">Delivered in the cycle</th>`) || strings.Count(page, ">Since start<") != len(st.Sources) {
		t.Error("the recent cycles' column does not say it is what the cycle delivered")
	}
	if n := strings.Count(logs.String(), "chart buckets dated in the future"); n != 1 {
		t.Errorf("said %d times in the log, want once:\n%s", n, logs.String())
	}
}

// syncBuffer is a bytes.Buffer the server's goroutines may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestChartLabelsReadTrue: a lag under a second is not "0s"; counts and
// lags far beyond any console's saturate rather than turn negative.
func TestChartLabelsReadTrue(t *testing.T) {
	now := time.Now()
	st := StreamStatus{Stream: "activities"}
	small := []series.Bucket{{Start: now, Delivered: 5, Cycles: 1, LagSeconds: 0.42}}
	addSeries(&st, small, pipeline.StatusSnapshot{}, time.Minute, now)
	if c := newChart("prod", st); c.LagLabel != "lag up to 0.4s" || !strings.Contains(c.Desc, "lag up to 0.4s") {
		t.Errorf("lag label %q, desc %q", c.LagLabel, c.Desc)
	}
	var huge []series.Bucket
	for k := range 4 {
		huge = append(huge, series.Bucket{Start: now.Add(-time.Duration(k) * series.Width), Delivered: 4e18, Cycles: 1, LagSeconds: 1e11})
	}
	st = StreamStatus{Stream: "activities"}
	addSeries(&st, series.Merge(huge, huge[:1]), pipeline.StatusSnapshot{}, time.Minute, now)
	c := newChart("prod", st)
	if negative := regexp.MustCompile(`-\d`); st.RecordsToday < 0 || negative.MatchString(c.Desc) || negative.MatchString(c.LagLabel) ||
		!strings.Contains(c.Desc, "9,223,372,036,854,775,807 events delivered") {
		t.Errorf("today %d, desc %q, lag %q", st.RecordsToday, c.Desc, c.LagLabel)
	}
}

// TestRetryingCycleIsMarkedAtOnce: while a cycle's requests are being
// retried (the first minutes of an outage), its bucket has a red mark and
// the text alternative says so, before the cycle gives up and counts as
// failed.
func TestRetryingCycleIsMarkedAtOnce(t *testing.T) {
	now := time.Now()
	st := StreamStatus{Stream: "activities", State: "retrying", Retry: &pipeline.Retry{Endpoint: "activities", Attempt: 3}}
	addSeries(&st, []series.Bucket{{Start: now.Add(-time.Hour), Delivered: 5, Cycles: 1}}, pipeline.StatusSnapshot{}, time.Minute, now)
	c := newChart("prod", st)
	if len(c.Fails) != 1 || c.Fails[0].X != float64(series.PerDay-1)*slot || !strings.Contains(c.Fails[0].Title, "retrying now") ||
		!strings.Contains(c.Desc, "no failed cycle, one retrying now") {
		t.Errorf("marks %+v, desc %q", c.Fails, c.Desc)
	}
}

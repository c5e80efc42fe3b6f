// Package bench measures the collector against the in-process emulator:
// the real pipeline for agents, and the floor it is compared with — a bare
// client paging the same console, with one cursor and partitioned.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/emulator"
	"s1collector/internal/output/file"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
	"s1collector/internal/transform"
)

// Config is one benchmark.
type Config struct {
	Agents      int           `json:"agents"`
	Latency     time.Duration `json:"-"`           // added to every page, as a real console's ~1.4 s
	RateLimit   bool          `json:"rate_limit"`  // the console's 25 rps for agents
	Profile     string        `json:"profile"`     // sekoia, ocsf, raw
	Concurrency int           `json:"concurrency"` // ranges walked at once in the full listing
	Output      string        `json:"output"`      // discard or file
	Seed        uint64        `json:"seed"`
	Rows        []string      `json:"rows"` // which runs: floor, partitioned, pipeline (default all, in that order)
	// Realism is applied to each console, and an hour of emulated time
	// passes before the runs when any of it is set.
	Realism emulator.Realism `json:"realism"`
}

// MarshalJSON writes the latency in seconds.
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config
	return json.Marshal(struct {
		plain
		LatencySeconds float64 `json:"latency_seconds"`
	}{plain(c), c.Latency.Seconds()})
}

// The rows a benchmark can run.
const (
	RowFloor       = "floor"       // a bare client, one cursor
	RowPartitioned = "partitioned" // a bare client on the partitioned plan
	RowPipeline    = "pipeline"    // the real pipeline
)

// Rows lists every row in the order they run.
var Rows = []string{RowFloor, RowPartitioned, RowPipeline}

// Validate reports what cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Agents < 1 || c.Agents > 10_000_000 {
		errs = append(errs, fmt.Errorf("agents: %d is outside 1–10,000,000", c.Agents))
	}
	if _, err := transform.ParseProfile(c.Profile); err != nil {
		errs = append(errs, err)
	}
	if c.Concurrency < 1 || c.Concurrency > 64 {
		errs = append(errs, fmt.Errorf("concurrency: %d is outside 1–64", c.Concurrency))
	}
	if c.Output != "discard" && c.Output != "file" {
		errs = append(errs, fmt.Errorf("output: %q is not discard or file", c.Output))
	}
	for _, r := range c.Rows {
		if !slices.Contains(Rows, r) {
			errs = append(errs, fmt.Errorf("rows: %q is not one of %s", r, strings.Join(Rows, ", ")))
		}
	}
	return errors.Join(errs...)
}

// Result is one run.
type Result struct {
	Row           string        `json:"row"`  // floor, partitioned or pipeline
	Name          string        `json:"name"` // as the table shows it
	Records       int64         `json:"records"`
	Pages         int64         `json:"pages"`
	Requests      int64         `json:"requests"`
	Wall          time.Duration `json:"-"`
	CPU           time.Duration `json:"-"`
	PeakRSS       int64         `json:"-"`
	WallSeconds   float64       `json:"wall_seconds"`
	RecordsPerSec float64       `json:"records_per_sec"`
	PeakRSSMiB    float64       `json:"peak_rss_mib"` // the whole process's, emulator included
	CPUSeconds    float64       `json:"cpu_seconds"`  // user + system, the whole process
	// CPUMicrosPerRecord is CPUSeconds per record, in microseconds.
	CPUMicrosPerRecord float64 `json:"cpu_us_per_record"`
}

// Run measures the floors and the pipeline, each on a fresh console.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	runs := map[string]struct {
		name string
		f    func(context.Context, *emulator.Emulator, Config) (int64, error)
	}{
		RowFloor:       {"floor, one cursor", floorSequential},
		RowPartitioned: {"floor, partitioned", floorPartitioned},
		RowPipeline:    {"pipeline", runPipeline},
	}
	rows := cfg.Rows
	if len(rows) == 0 {
		rows = Rows
	}
	var out []Result
	for _, row := range Rows {
		if !slices.Contains(rows, row) {
			continue
		}
		r := runs[row]
		res, err := measure(ctx, cfg, r.name, r.f)
		res.Row = row
		if err != nil {
			return out, fmt.Errorf("%s: %w", r.name, err)
		}
		out = append(out, res)
	}
	return out, nil
}

func measure(ctx context.Context, cfg Config, name string, f func(context.Context, *emulator.Emulator, Config) (int64, error)) (Result, error) {
	emu, err := newConsole(cfg)
	if err != nil {
		return Result{}, err
	}
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	cpu0, start := cpuTime(), time.Now()
	records, err := f(ctx, emu, cfg)
	wall := time.Since(start)
	res := Result{Name: name, Records: records, Wall: wall, CPU: cpuTime() - cpu0, PeakRSS: peakRSS(),
		Pages: emu.Requests("agents"), Requests: emu.Requests("agents") + emu.Requests("agents/count")}
	res.WallSeconds, res.CPUSeconds = wall.Seconds(), res.CPU.Seconds()
	res.PeakRSSMiB = float64(res.PeakRSS) / (1 << 20)
	res.RecordsPerSec = float64(records) / wall.Seconds()
	if records > 0 {
		res.CPUMicrosPerRecord = float64(res.CPU.Microseconds()) / float64(records)
	}
	return res, err
}

func newConsole(cfg Config) (*emulator.Emulator, error) {
	limits := map[string]emulator.RateLimit{}
	if cfg.RateLimit {
		limits = emulator.DefaultRateLimits()
	}
	emu, err := emulator.New(emulator.Config{Seed: cfg.Seed, Agents: cfg.Agents, RateLimits: limits,
		AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9, Realism: cfg.Realism})
	if err != nil {
		return nil, err
	}
	if cfg.Realism.Active() {
		emu.Advance(time.Hour)
	}
	if cfg.Latency > 0 {
		emu.SetFault("agents", emulator.Fault{Latency: cfg.Latency})
	}
	return emu, nil
}

func client(emu *emulator.Emulator, cfg Config) (*sentinelone.Client, error) {
	limits := map[string]sentinelone.RateLimit{"agents": {Rate: 1e6, Burst: 1000}}
	if cfg.RateLimit {
		limits = nil // the client's defaults: the console's limits
	}
	return sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken, RateLimits: limits},
		&http.Client{Transport: emu.Transport()})
}

func walk(ctx context.Context, c *sentinelone.Client, q url.Values) (int64, error) {
	var n int64
	for page, err := range c.Pages(ctx, sentinelone.ListRequest{Endpoint: sentinelone.Agents, Query: q, RawRecords: true}) {
		if err != nil {
			return n, err
		}
		n += int64(len(page.Records))
	}
	return n, nil
}

func floorSequential(ctx context.Context, emu *emulator.Emulator, cfg Config) (int64, error) {
	c, err := client(emu, cfg)
	if err != nil {
		return 0, err
	}
	return walk(ctx, c, url.Values{"sortBy": {"updatedAt"}, "sortOrder": {"asc"}})
}

func floorPartitioned(ctx context.Context, emu *emulator.Emulator, cfg Config) (int64, error) {
	c, err := client(emu, cfg)
	if err != nil {
		return 0, err
	}
	parts, err := pipeline.PlanPartitions(ctx, c, nil, emu.Now(), cfg.Concurrency, 1000)
	if err != nil {
		return 0, err
	}
	var total int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, cfg.Concurrency)
	for _, p := range parts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			q := url.Values{"sortBy": {"updatedAt"}, "sortOrder": {"asc"}}
			if !p.Lo.IsZero() {
				q.Set("updatedAt__gte", sentinelone.FormatTime(p.Lo))
			}
			if !p.Hi.IsZero() {
				q.Set("updatedAt__lt", sentinelone.FormatTime(p.Hi))
			}
			n, err := walk(ctx, c, q)
			mu.Lock()
			total += n
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return total, firstErr
}

// runPipeline is a first full listing of agents through the real stream:
// mapping, delivery, checkpoints in a real state file.
func runPipeline(ctx context.Context, emu *emulator.Emulator, cfg Config) (int64, error) {
	c, err := client(emu, cfg)
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "s1collector-bench")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	st, err := state.OpenBolt(dir + "/state.db")
	if err != nil {
		return 0, err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out delivery.Output = discard{}
	if cfg.Output == "file" {
		f, err := file.New("file", file.Config{Dir: dir + "/out"}, log)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		out = f
	}
	profile, _ := transform.ParseProfile(cfg.Profile)
	s := &pipeline.Stream{Source: delivery.SourceInfo{Name: "bench"}, API: sentinelone.Agents, Lister: c, Counter: c,
		Store: st, Outputs: []delivery.Output{out}, Profile: profile, FullSync: 24 * time.Hour, Interval: time.Hour,
		Concurrency: cfg.Concurrency, Now: time.Now, Log: log, Status: pipeline.NewStatus("bench", "agents")}
	res, err := s.Cycle(ctx, nil)
	return int64(res.Delivered), err
}

// discard is a throwaway output: it encodes each event, as an output
// would, and keeps nothing.
type discard struct{}

func (discard) Name() string                { return "discard" }
func (discard) Check(context.Context) error { return nil }
func (discard) Close() error                { return nil }
func (discard) Deliver(_ context.Context, b delivery.Batch) error {
	for _, e := range b.Events {
		io.Discard.Write(e.Decorated())
	}
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS restarts the kernel's peak-RSS count (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set size since the last reset.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

package bench

import (
	"os"
	"strconv"
	"testing"
	"testing/synctest"
	"time"
)

// TestPipelineAtTheRateLimitInFakeTime runs the pipeline row against a
// console answering each page in 1.4 s at 25 requests a second, in fake
// time: what it measures is the plan (how many requests, how well they
// fill the console's rate), not the machine's load. Its floor: the pages
// at 25 rps, plus one latency for the last page and one for the catch-up
// walk. A small fleet pays a round of latency to learn its counts, so the
// default fleet (20,000 agents, 20 pages) is held to 2.5× its floor (old
// plan at its default concurrency 8: 3.1×; new 1.7–2.0×); BENCH_AGENTS=200000
// measures the case (1.29×; old plan 4.9×, at 64 walkers 2.4×).
func TestPipelineAtTheRateLimitInFakeTime(t *testing.T) {
	agents := 20000
	if v := os.Getenv("BENCH_AGENTS"); v != "" {
		agents, _ = strconv.Atoi(v)
	}
	synctest.Test(t, func(t *testing.T) {
		cfg := Config{Agents: agents, Latency: 1400 * time.Millisecond, RateLimit: true, Profile: "raw", Concurrency: 64,
			Output: "discard", Seed: 1}
		emu, err := newConsole(cfg)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		n, err := runPipeline(t.Context(), emu, cfg)
		if err != nil || n != int64(agents) {
			t.Fatalf("%d of %d agents: %v", n, agents, err)
		}
		took := time.Since(start)
		pages := (agents + 999) / 1000
		floor := float64(pages)/25 + 2*cfg.Latency.Seconds()
		t.Logf("%d agents: %s in fake time, %d requests; floor %.1fs (%.2f×)", agents, took, emu.Requests("agents")+emu.Requests("agents/count"),
			floor, took.Seconds()/floor)
		if took.Seconds() > 2.5*floor {
			t.Errorf("%s, more than 2.5× the floor of %.1fs", took, floor)
		}
	})
}

package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/bench"
	"s1collector/internal/pipeline"
)

func newBenchCmd() *cobra.Command {
	var cfg bench.Config
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a full listing of agents through the real pipeline against the emulator",
		Long: `Start the in-process console emulator with --agents agents and run a first full
listing of agents up to three ways, each on a fresh console: a bare client
paging with one cursor (row "floor"), a bare client paging the partitioned
plan ("partitioned"), and the real pipeline ("pipeline": decoding, mapping,
delivery to --output, checkpoints in a state file); --rows picks them. The
bare client reads the pages but does not decode the records.
Each row gives records, pages, requests, wall time, records/s, peak RSS (of
the whole process, emulator included) and CPU time (user + system, also per
record). --json prints the same as JSON: wall_seconds, records, pages,
requests, peak_rss_mib, cpu_seconds, cpu_us_per_record. With realism flags
(bulk actions, removals, decommissions), an hour of emulated time passes on
each console before the runs, so the fleet carries their marks.`,
		Example: `  s1collector bench --agents 100000
  s1collector bench --agents 200000 --latency 1.4s --rate-limit --rows pipeline
  s1collector bench --agents 1000000 --rows floor,pipeline --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := withSignals(cmd.Context())
			defer cancel()
			results, err := bench.Run(ctx, cfg)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"config": cfg, "results": results})
			}
			printBench(cmd, cfg, results)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&cfg.Agents, "agents", 100_000, "agents in the emulated fleet")
	fl.DurationVar(&cfg.Latency, "latency", 0, "latency of every page (a real console takes ~1.4s)")
	fl.BoolVar(&cfg.RateLimit, "rate-limit", false, "enforce the console's 25 rps on agents (client and emulator)")
	fl.StringVar(&cfg.Profile, "profile", "sekoia", "agents profile: sekoia, ocsf or raw")
	fl.IntVar(&cfg.Concurrency, "concurrency", 8, "ranges of the full listing walked at once (the collector's default)")
	fl.StringVar(&cfg.Output, "output", "discard", "discard (encode and drop) or file (NDJSON, fsync'd)")
	fl.Uint64Var(&cfg.Seed, "seed", 1, "seed of the fleet")
	fl.StringSliceVar(&cfg.Rows, "rows", bench.Rows, "rows to run: floor, partitioned, pipeline")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	addRealismFlags(cmd, &cfg.Realism)
	return cmd
}

func printBench(cmd *cobra.Command, cfg bench.Config, results []bench.Result) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "s1collector bench: %s agents, page latency %s, rate limit %v, profile %s, concurrency %d, output %s\n\n",
		pipeline.Count(int64(cfg.Agents)), cfg.Latency, cfg.RateLimit, cfg.Profile, cfg.Concurrency, cfg.Output)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\trecords\tpages\trequests\twall\trecords/s\tpeak RSS\tCPU\tCPU/record\t")
	rows := map[string]bench.Result{}
	for _, r := range results {
		rows[r.Row] = r
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d MiB\t%s\t%.1f µs\t\n", r.Name, pipeline.Count(r.Records), pipeline.Count(r.Pages),
			pipeline.Count(r.Requests), r.Wall.Round(10*time.Millisecond), pipeline.Count(int64(r.RecordsPerSec)), r.PeakRSS>>20,
			r.CPU.Round(10*time.Millisecond), r.CPUMicrosPerRecord)
	}
	tw.Flush()
	floor, hasFloor := rows[bench.RowFloor]
	if p, ok := rows[bench.RowPipeline]; ok && hasFloor {
		fmt.Fprintf(w, "\npipeline wall / one-cursor floor: %.2f×\n", p.WallSeconds/floor.WallSeconds)
	}
	if p, ok := rows[bench.RowPartitioned]; ok && hasFloor {
		fmt.Fprintf(w, "partitioned floor speed-up over one cursor: %.1f×\n", floor.WallSeconds/p.WallSeconds)
	}
}

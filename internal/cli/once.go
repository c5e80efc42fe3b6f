package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/pipeline"
)

func newOnceCmd() *cobra.Command {
	var path string
	var attempts int
	cmd := &cobra.Command{
		Use:   "once",
		Short: "Run one cycle of every stream and exit; the exit status tells success",
		Long: `Run one cycle of every stream, concurrently, then exit. A first run does the
full listing of agents and collects events from the look-back; later runs
collect what changed since the checkpoint. An output that keeps failing is
given --delivery-attempts tries (backoff 1s, 2s, 4s…); then its stream fails
with the checkpoint held, and the next run sends the batch again. Exit status
0 when every stream succeeded, 1 otherwise. Suits cron and CI jobs.

One line per stream goes to standard output, as demo prints it (to standard
error when a stdout output writes events there); logs go to standard error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runOnceCmd(cmd, path, attempts) },
	}
	addConfigFlag(cmd, &path)
	addLogFlags(cmd, true)
	cmd.Flags().IntVar(&attempts, "delivery-attempts", 5, "tries per batch for a failing output before the stream fails (0: until interrupted)")
	return cmd
}

func runOnceCmd(cmd *cobra.Command, path string, attempts int) error {
	cfg, log, err := loadWithLogger(cmd, path)
	if err != nil {
		return err
	}
	sig := graceful(cmd.Context())
	defer sig.done()
	sig.setLogger(log)
	ctx, stop := sig.ctx, sig.stop
	b, err := collector.Build(ctx, cfg, collector.Options{Log: log, Stdout: cmd.OutOrStdout(), DeliveryAttempts: attempts, StateAttempts: 3})
	if err != nil {
		return withPermissionHint(err)
	}
	defer b.Close()
	stopProgress := watchProgress(cmd.ErrOrStderr(), log, b.Collector.Streams)
	results := b.Once(ctx, stop)
	stopProgress()
	if failed := printResults(resultsWriter(cmd, cfg), results, cfg.Redactor()); failed > 0 {
		return exitError{1}
	}
	return nil
}

// resultsWriter is standard output, unless events go there.
func resultsWriter(cmd *cobra.Command, cfg *config.Config) io.Writer {
	for _, o := range cfg.Outputs {
		if o.Type == "stdout" {
			return cmd.ErrOrStderr()
		}
	}
	return cmd.OutOrStdout()
}

// printResults writes one line per stream and returns how many failed.
func printResults(w io.Writer, results []pipeline.StreamResult, redact func(string) string) int {
	failed := 0
	for _, r := range results {
		name := r.Stream.Key()
		res := r.Result
		if pipeline.Disabled(r.Err) {
			fmt.Fprintf(w, "! %s: disabled — %s\n", name, redact(r.Err.Error()))
			continue
		}
		if r.Err != nil && !errors.Is(r.Err, pipeline.ErrStopped) {
			failed++
			fmt.Fprintf(w, "✗ %s: %s\n", name, redact(r.Err.Error()))
			continue
		}
		what := fmt.Sprintf("%s delivered", pipeline.Count(int64(res.Delivered)))
		if res.FullSync {
			what += " (full listing)"
		}
		fmt.Fprintf(w, "✓ %s: %s, %s read in %d page(s), %s", name, what, pipeline.Count(int64(res.Read)), res.Pages, res.Duration.Round(1e6))
		if res.Skipped > 0 {
			fmt.Fprintf(w, ", %d skipped (see log)", res.Skipped)
		}
		if res.Odd > 0 {
			fmt.Fprintf(w, ", %d with fields of unexpected types (see log)", res.Odd)
		}
		if len(res.Gone) > 0 {
			fmt.Fprintf(w, ", %d devices no longer listed", len(res.Gone))
		}
		if errors.Is(r.Err, pipeline.ErrStopped) {
			fmt.Fprint(w, " — interrupted, checkpoint saved")
		}
		fmt.Fprintln(w)
	}
	return failed
}

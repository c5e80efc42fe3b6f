package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/pipeline"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

func newStateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Show or reset the checkpoints of the streams",
		Long: `Show or reset checkpoints. The state file is locked by a running collector:
stop it first. With the state in PostgreSQL the replicas may keep running:
"show" names the replica holding each stream, and a reset takes the stream
away from its replica (which stands down, its next checkpoint write refused)
so that it starts over wherever it is taken next. These commands read no
console token or output key (only the state's DSN): they work without the
environment or token files the collector needs to run.`,
	}
	var path, source, stream string
	var all bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Show every stream's checkpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd, path, false, func(st state.Store, owners map[string]string) error { return showState(cmd, st, owners) })
		},
	}
	reset := &cobra.Command{
		Use:   "reset",
		Short: "Forget checkpoints so streams collect again from their look-back (agents: a full listing)",
		Example: `  s1collector state reset --source prod-eu --stream threats
  s1collector state reset --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !all && source == "" {
				return fmt.Errorf("name --source (and optionally --stream), or pass --all")
			}
			return withStore(cmd, path, true, func(st state.Store, _ map[string]string) error { return resetState(cmd, st, source, stream) })
		},
	}
	reset.Flags().StringVar(&source, "source", "", "source whose checkpoints to reset")
	reset.Flags().StringVar(&stream, "stream", "", "only this stream (one of the source's supported_apis: agents, activities, threats, alerts…)")
	reset.Flags().BoolVar(&all, "all", false, "reset every checkpoint")
	for _, c := range []*cobra.Command{show, reset} {
		addConfigFlag(c, &path)
		cmd.AddCommand(c)
	}
	return cmd
}

// withStore opens the configured state for f; owners (who holds each
// stream) is nil for a state file. A state file must exist: neither
// command creates one (as root, it would be a file the service cannot
// open). No console token or output key is read.
func withStore(cmd *cobra.Command, path string, reset bool, f func(st state.Store, owners map[string]string) error) error {
	cfg, log, err := loadWithLoggerFrom(cmd, path, config.LoadForState)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.State.Path); cfg.State.Postgres == nil && errors.Is(err, fs.ErrNotExist) {
		if reset {
			return fmt.Errorf("no state file at %s (state.path of %s): nothing to reset", cfg.State.Path, path)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "no checkpoints yet: no state file at %s (state.path of %s); "+
			"every stream starts from its look-back (agents with a full listing)\n", cfg.State.Path, path)
		return nil
	}
	st, pg, err := collector.OpenState(cmd.Context(), cfg, log, 3)
	if err != nil {
		return err
	}
	defer st.Close()
	var owners map[string]string
	if pg != nil {
		if owners, err = pg.Owners(cmd.Context()); err != nil {
			return err
		}
	}
	return f(st, owners)
}

func showState(cmd *cobra.Command, st state.Store, owners map[string]string) error {
	all, err := st.All(cmd.Context())
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "no checkpoints yet: every stream starts from its look-back (agents with a full listing)")
		return nil
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
	header := "STREAM\tWATERMARK\tKEYS IN OVERLAP\tDELIVERED\tLAST FULL LISTING\tSAVED"
	if owners != nil {
		header += "\tREPLICA"
	}
	fmt.Fprintln(tw, header)
	for _, k := range keys {
		cp := all[k]
		full := stamp(cp.LastFullSync)
		if l := cp.Listing; l != nil {
			full = fmt.Sprintf("in progress since %s (%s)", stamp(l.Started), l.Phase)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s", k, stamp(cp.Watermark), cp.Keys(), pipeline.Count(cp.Delivered), full, stamp(cp.SavedAt))
		if owners != nil {
			fmt.Fprintf(tw, "\t%s", cmp.Or(owners[k], "-"))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return sentinelone.FormatTime(t)
}

func resetState(cmd *cobra.Command, st state.Store, source, stream string) error {
	all, err := st.All(cmd.Context())
	if err != nil {
		return err
	}
	n := 0
	for k := range all {
		src, str, _ := strings.Cut(k, "/")
		if (source == "" || src == source) && (stream == "" || str == stream) {
			if err := st.Delete(cmd.Context(), k); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reset %s\n", k)
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("no checkpoint matches source %q stream %q", source, stream)
	}
	return nil
}

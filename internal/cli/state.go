package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/pipeline"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

func newStateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Show or reset the checkpoints of the streams",
		Long: `Show or reset checkpoints. The state file is locked by a running collector:
stop it first. These commands read no token or key: they work without the
environment (or token files) the collector needs to run.`,
	}
	var path, source, stream string
	var all bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Show every stream's checkpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd, path, false, func(st state.Store) error { return showState(cmd, st) })
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
			return withStore(cmd, path, true, func(st state.Store) error { return resetState(cmd, st, source, stream) })
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

// withStore opens the config's state file, which must exist: neither
// command creates one (as root, it would be a file the service cannot open).
func withStore(cmd *cobra.Command, path string, reset bool, f func(state.Store) error) error {
	cfg, err := loadConfigWithoutSecrets(cmd, path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.State.Path); errors.Is(err, fs.ErrNotExist) {
		if reset {
			return fmt.Errorf("no state file at %s (state.path of %s): nothing to reset", cfg.State.Path, path)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "no checkpoints yet: no state file at %s (state.path of %s); "+
			"every stream starts from its look-back (agents with a full listing)\n", cfg.State.Path, path)
		return nil
	}
	st, err := state.OpenBolt(cfg.State.Path)
	if err != nil {
		return err
	}
	defer st.Close()
	return f(st)
}

func showState(cmd *cobra.Command, st state.Store) error {
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
	fmt.Fprintln(tw, "STREAM\tWATERMARK\tAT WATERMARK\tDELIVERED\tLAST FULL LISTING\tSAVED")
	for _, k := range keys {
		cp := all[k]
		full := stamp(cp.LastFullSync)
		if !cp.FullSyncStarted.IsZero() {
			full = "in progress since " + stamp(cp.FullSyncStarted)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", k, stamp(cp.Watermark), len(cp.Boundary), pipeline.Count(cp.Delivered), full, stamp(cp.SavedAt))
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

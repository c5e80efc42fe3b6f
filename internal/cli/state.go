package cli

import (
	"fmt"
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
stop it first.`,
	}
	var path, source, stream string
	var all bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Show every stream's checkpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd, path, func(st state.Store) error { return showState(cmd, st) })
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
			return withStore(cmd, path, func(st state.Store) error { return resetState(cmd, st, source, stream) })
		},
	}
	reset.Flags().StringVar(&source, "source", "", "source whose checkpoints to reset")
	reset.Flags().StringVar(&stream, "stream", "", "only this stream: agents, activities or threats")
	reset.Flags().BoolVar(&all, "all", false, "reset every checkpoint")
	for _, c := range []*cobra.Command{show, reset} {
		addConfigFlag(c, &path)
		cmd.AddCommand(c)
	}
	return cmd
}

func withStore(cmd *cobra.Command, path string, f func(state.Store) error) error {
	cfg, err := loadConfig(cmd, path)
	if err != nil {
		return err
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
	fmt.Fprintln(tw, "STREAM\tWATERMARK\tKEYS IN OVERLAP\tDELIVERED\tLAST FULL LISTING\tSAVED")
	for _, k := range keys {
		cp := all[k]
		full := stamp(cp.LastFullSync)
		if l := cp.Listing; l != nil {
			full = fmt.Sprintf("in progress since %s (%s)", stamp(l.Started), l.Phase)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", k, stamp(cp.Watermark), cp.Keys(), pipeline.Count(cp.Delivered), full, stamp(cp.SavedAt))
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

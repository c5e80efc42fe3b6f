package cli

import (
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/emulator"
)

// addRealismFlags adds the emulator's realism settings to emulate, demo
// and bench.
func addRealismFlags(cmd *cobra.Command, r *emulator.Realism) {
	fl := cmd.Flags()
	fl.DurationVar(&r.BulkEvery, "bulk-every", 0, "run a bulk console action this often (emulated time): --bulk-size agents updated and activities logged sharing one timestamp (0: never)")
	fl.IntVar(&r.BulkSize, "bulk-size", 1500, "records sharing the timestamp of each bulk action")
	fl.Float64Var(&r.LateShare, "late-share", 0, "share (0–1) of activities, threats and alert versions the console lists only --late-min to --late-max after their time")
	fl.DurationVar(&r.LateMin, "late-min", time.Minute, "shortest indexing lag of a late record")
	fl.DurationVar(&r.LateMax, "late-max", 4*time.Minute, "longest indexing lag of a late record")
	fl.Float64Var(&r.AgentRemovalsPerHour, "agent-removals-per-hour", 0, "agents removed from the console per emulated hour (lists and lookups by id stop returning them)")
	fl.Float64Var(&r.DecommissionsPerHour, "decommissions-per-hour", 0, "agents decommissioned per emulated hour (they stay listed, isDecommissioned true)")
}

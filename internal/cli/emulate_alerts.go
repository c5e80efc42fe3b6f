package cli

import (
	"github.com/spf13/pflag"

	"s1collector/internal/emulator"
)

// addAlertFlags adds the emulator's flags for the Unified Alerts API and
// the legacy STAR alerts.
func addAlertFlags(fl *pflag.FlagSet, cfg *emulator.Config) {
	fl.Float64Var(&cfg.AlertsPerHour, "alerts-per-hour", 30, "new unified alerts per emulated hour")
	fl.Float64Var(&cfg.AlertUpdatesPerHour, "alert-updates-per-hour", 60, "unified alert changes per emulated hour")
	fl.IntVar(&cfg.HistoryAlerts, "history-alerts", 100, "unified alerts in the 48h before start")
	fl.Float64Var(&cfg.StarAlertsPerHour, "star-alerts-per-hour", 6, "legacy STAR alerts (cloud-detection/alerts) per emulated hour")
	fl.BoolVar(&cfg.NoCustomRules, "no-custom-rules", false, "answer cloud-detection/alerts with 403 4030010, as scopes without Custom Rules do")
	fl.StringVar(&cfg.GraphQLAuth, "graphql-auth", "", "Unified Alerts API authentication: bearer or apitoken only (default: both)")
	fl.StringSliceVar(&cfg.GraphQLRejects, "graphql-reject", nil, "Alert fields (or the viewType and scope arguments) the Unified Alerts schema lacks, as on older consoles")
}

package cli

import (
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/emulator"
)

type emulateFlags struct {
	listen      string
	cfg         emulator.Config
	token       string
	tokenTTL    time.Duration
	deny        []string
	expired     []string
	faults      []string
	latency     time.Duration
	noRateLimit bool
	startNow    bool
}

func newEmulateCmd() *cobra.Command {
	var f emulateFlags
	cmd := &cobra.Command{
		Use:   "emulate",
		Short: "Serve an emulated SentinelOne Management API v2.1 console",
		Long: `Serve an emulated SentinelOne console for tests, demos and benchmarks: the
agents, activities, threats and STAR alerts endpoints and the Unified Alerts
GraphQL API, with real envelopes, errors, cursors, filters and rate limits, over
a deterministic synthetic fleet that changes as time passes. It prints the base
URL and token to configure, and serves until interrupted.`,
		Example: `  s1collector emulate --agents 20000 --seed 7
  s1collector emulate --fault 'agents:latency=1.4s' --fault '*:throttle=0.05'
  s1collector emulate --expired-token old-token --deny threats
  s1collector emulate --bulk-every 10m --late-share 0.1 --agent-removals-per-hour 30
  s1collector emulate --graphql-reject dataSources --no-custom-rules`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEmulate(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8900", "address to serve on; binding beyond loopback is an explicit choice")
	fl.IntVar(&f.cfg.Agents, "agents", 1000, "agents in the fleet at start")
	fl.Uint64Var(&f.cfg.Seed, "seed", 1, "seed of the synthetic fleet and events")
	fl.IntVar(&f.cfg.Sites, "sites", 4, "sites the fleet is spread over")
	fl.Float64Var(&f.cfg.Speed, "speed", 1, "emulated seconds per real second (0 freezes time)")
	fl.Float64Var(&f.cfg.AgentUpdatesPerMinute, "agent-updates-per-minute", 60, "agent changes per emulated minute")
	fl.Float64Var(&f.cfg.NewAgentsPerHour, "new-agents-per-hour", 6, "agents registering per emulated hour")
	fl.Float64Var(&f.cfg.ActivitiesPerMinute, "activities-per-minute", 30, "activities per emulated minute")
	fl.Float64Var(&f.cfg.ThreatsPerHour, "threats-per-hour", 30, "new threats per emulated hour")
	fl.Float64Var(&f.cfg.ThreatUpdatesPerHour, "threat-updates-per-hour", 60, "threat changes per emulated hour")
	fl.IntVar(&f.cfg.HistoryActivities, "history-activities", 2000, "activities in the 48h before start")
	fl.IntVar(&f.cfg.HistoryThreats, "history-threats", 100, "threats in the 48h before start")
	fl.StringVar(&f.token, "token", emulator.DefaultToken, "API token the console accepts")
	fl.DurationVar(&f.tokenTTL, "token-ttl", 180*24*time.Hour, "time until --token expires")
	fl.StringSliceVar(&f.deny, "deny", nil, "endpoints --token may not read (403): agents, activities, threats, alerts, cloud-detection")
	fl.StringSliceVar(&f.expired, "expired-token", nil, "tokens that exist but have expired (401)")
	fl.StringArrayVar(&f.faults, "fault", nil, "inject faults: ENDPOINT:key=value,… (latency, server_errors, throttle, truncate, malformed, repeat_cursor, odd_types, graphql_errors)")
	fl.DurationVar(&f.latency, "latency", 0, "latency added to every answer (shortcut for --fault '*:latency=…')")
	fl.BoolVar(&f.noRateLimit, "no-rate-limit", false, "disable the per-token rate limits (25/10/10 rps)")
	addRealismFlags(cmd, &f.cfg.Realism)
	addAlertFlags(fl, &f.cfg)
	return cmd
}

func (f emulateFlags) config() (emulator.Config, error) {
	cfg := f.cfg
	cfg.Start = time.Now().UTC()
	cfg.Tokens = []emulator.Token{{Value: f.token, ExpiresAt: cfg.Start.Add(f.tokenTTL), Deny: f.deny}}
	for _, t := range f.expired {
		cfg.Tokens = append(cfg.Tokens, emulator.Token{Value: t, ExpiresAt: cfg.Start.Add(-24 * time.Hour)})
	}
	if f.noRateLimit {
		cfg.RateLimits = map[string]emulator.RateLimit{}
	}
	cfg.Faults = map[string]emulator.Fault{}
	if f.latency > 0 {
		cfg.Faults["*"] = emulator.Fault{Latency: f.latency}
	}
	for _, spec := range f.faults {
		ep, fault, err := emulator.ParseFault(spec)
		if err != nil {
			return cfg, err
		}
		cfg.Faults[ep] = fault
	}
	return cfg, cfg.Validate()
}

func runEmulate(cmd *cobra.Command, f emulateFlags) error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.listen, err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "SentinelOne console emulator: %d agents, seed %d\n", cfg.Agents, cfg.Seed)
	fmt.Fprintf(out, "  base_url: http://%s\n  token:    %s (expires %s)\n", ln.Addr(), f.token, cfg.Tokens[0].ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(out, "Serving until interrupted (Ctrl-C).")
	ctx, cancel := withSignals(cmd.Context())
	defer cancel()
	return emu.Serve(ctx, ln)
}

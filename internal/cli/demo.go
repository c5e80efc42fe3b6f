package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/pipeline"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/emulator"
)

type demoFlags struct {
	dir      string
	listen   string
	agents   int
	seed     uint64
	speed    float64
	interval time.Duration
	once     bool
	realism  emulator.Realism
}

const demoMarker = "demo.yaml"

func newDemoCmd(version string) *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See it work: an emulated console collected into local files, in one command",
		Long: `Start the built-in console emulator with a realistic fleet, write a real config
pointing at it, and collect agents, activities, threats and alerts through the real
pipeline into NDJSON files. Then keep collecting as the emulated console
changes (time runs 60x faster there), until Ctrl-C; --once stops after the
first cycle. Everything stays in --dir, which is started afresh each time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, f, version) },
	}
	fl := cmd.Flags()
	addLogFlags(cmd, false)
	fl.StringVar(&f.dir, "dir", "s1collector-demo", "folder for the config, state and output files")
	fl.IntVar(&f.agents, "agents", 5000, "agents in the emulated fleet")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the emulated fleet")
	fl.Float64Var(&f.speed, "speed", 60, "emulated seconds per real second")
	fl.DurationVar(&f.interval, "interval", 15*time.Second, "collection interval")
	fl.BoolVar(&f.once, "once", false, "collect one cycle and exit")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:9464", "address of the status page and /metrics; off disables")
	addRealismFlags(cmd, &f.realism)
	return cmd
}

func runDemo(cmd *cobra.Command, f demoFlags, version string) error {
	if err := prepareDemoDir(f.dir); err != nil {
		return err
	}
	emu, err := emulator.New(emulator.Config{Seed: f.seed, Agents: f.agents, Speed: f.speed, Start: time.Now(), Realism: f.realism, HostDate: true})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	emuCtx, stopEmu := context.WithCancel(context.Background())
	defer stopEmu()
	go emu.Serve(emuCtx, ln)
	cfgPath := filepath.Join(f.dir, demoMarker)
	if err := os.WriteFile(cfgPath, []byte(demoConfig("http://"+ln.Addr().String(), f.interval)), 0o644); err != nil {
		return err
	}
	cfg, err := loadConfig(cmd, cfgPath)
	if err != nil {
		return err
	}
	log, err := newLogger(cmd.ErrOrStderr(), "", "")
	if err != nil {
		return err
	}
	sig := graceful(cmd.Context())
	defer sig.done()
	sig.setLogger(log)
	ctx, stop := sig.ctx, sig.stop
	b, err := collector.Build(ctx, cfg, collector.Options{Log: log, Stdout: io.Discard, Version: version})
	if err != nil {
		return err
	}
	defer b.Close()
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "s1collector demo: emulated SentinelOne console at %s with %s agents\n", ln.Addr(), pipeline.Count(int64(f.agents)))
	stopProgress := watchProgress(cmd.ErrOrStderr(), log, b.Collector.Streams)
	results := b.Collector.Once(ctx, stop)
	stopProgress()
	failed := printResults(w, results, cfg.Redactor())
	printDemoFiles(w, cfg)
	if failed > 0 {
		return exitError{1}
	}
	if f.once {
		return nil
	}
	addr, stopOps, err := operations(ctx, b, cfg, f.listen, version, log)
	if err != nil {
		return err
	}
	defer stopOps()
	if addr != "" {
		fmt.Fprintf(w, "\nStatus page: http://%s/  (metrics at /metrics)", addr)
	}
	fmt.Fprintf(w, "\nCollecting every %s as the console changes; Ctrl-C to stop.\n", f.interval)
	b.Collector.Run(ctx, stop)
	return nil
}

// prepareDemoDir empties a previous demo's folder, and refuses a folder
// that holds anything else.
func prepareDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
		return fmt.Errorf("--dir %s is not empty and is not a previous demo's folder: choose another", dir)
	}
	for _, name := range []string{"out", "state.db", demoMarker} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func demoConfig(baseURL string, interval time.Duration) string {
	return fmt.Sprintf(`# Written by "s1collector demo": a real configuration, pointed at the
# built-in emulator. For a production console, see the README.
state:
  path: state.db
sources:
  - name: demo-console
    base_url: %s
    token: %s
    supported_apis: [agents, activities, threats, alerts]
    interval: %s
    lookback: 48h
    category: demo/sentinelone
    fields: {env: demo}
    outputs: [local]
outputs:
  - name: local
    type: file
    file:
      dir: out
`, baseURL, emulator.DefaultToken, interval)
}

func printDemoFiles(w io.Writer, cfg *config.Config) {
	dir := filepath.Join(cfg.Outputs[0].File.Dir, cfg.Sources[0].Name)
	fmt.Fprintf(w, "\nEvents are in %s:\n", dir)
	for _, stream := range cfg.Sources[0].SupportedAPIs {
		fmt.Fprintf(w, "  %-17s %s\n", stream+".ndjson", describeStream(stream))
	}
	fmt.Fprintf(w, "Config: %s   State: %s\n", filepath.Join(filepath.Dir(cfg.State.Path), demoMarker), cfg.State.Path)
}

func describeStream(stream string) string {
	switch stream {
	case "agents":
		return "devices as OCSF Device Inventory Info (Sekoia.io profile)"
	case "activities":
		return "console activities, as the console's JSON"
	case "alerts":
		return "unified alerts, as the GraphQL API's JSON"
	}
	return "threats, as the console's JSON"
}

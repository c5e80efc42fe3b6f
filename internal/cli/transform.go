package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"s1collector/internal/transform"
)

// exitSkipped is the status when some records or field values were skipped.
const exitSkipped = 2

type transformFlags struct {
	stream    string
	profile   string
	in, out   string
	collected string
}

func newTransformCmd() *cobra.Command {
	var f transformFlags
	cmd := &cobra.Command{
		Use:   "transform",
		Short: "Turn saved SentinelOne records (JSON) into events (NDJSON): agents, activities, threats, alerts",
		Long: `Read console records of one stream and write one event per line with the
chosen profile. --stream says what the records are:
  agents                  GET /agents records
  activities              GET /activities records
  threats                 GET /threats records
  alerts                  Unified Alerts: GraphQL answers ({"data":{"alerts":{"edges":…}}}),
                          or their nodes or edges
  cloud_detection_alerts  GET /cloud-detection/alerts records (legacy STAR alerts)
Records may come as a JSON array, NDJSON, or whole API pages ({"data":[…],"pagination":…}).

Profiles:
  sekoia  agents in the Sekoia.io asset connector's OCSF shape (epoch seconds, nulls
          kept); the other streams as the console's JSON
  ocsf    strict OCSF 1.6.0: agents → Device Inventory Info 5001, threats and alerts →
          Detection Finding 2004, activities → the class of their type (3002, 3001,
          3004, 2004, 6007, or Base Event 0); milliseconds, no nulls
  raw     the records unchanged

Input is streamed, a GraphQL answer node by node: memory does not grow with its
size. Agents are decoded and mapped on every core, the events written in the
records' order. Reported on stderr with the record's index, and the others still convert:
a record that cannot be converted (not an object, no id, a record of another
stream); an NDJSON line that is not valid JSON (skipped to the next line); a
field whose value cannot be read (agents: dropped; the other streams: kept under
unmapped.unreadable); the errors a saved GraphQL answer reports.

Exit status: 0 all converted; 2 something above was reported; 1 the input could
not be read to its end (the records before the fault are written).`,
		Example: `  s1collector transform --profile ocsf --in agents.json --out devices.ndjson
  s1collector transform --stream threats --profile ocsf --in threats.json
  s1collector transform --stream alerts --profile ocsf --in unified-alerts-page.json
  curl -s -H "Authorization: ApiToken $S1_TOKEN" "$S1_URL/web/api/v2.1/agents?limit=1000" | s1collector transform`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTransform(cmd, f) },
	}
	cmd.Flags().StringVar(&f.stream, "stream", "agents", "what the records are: agents, activities, threats, alerts or cloud_detection_alerts")
	cmd.Flags().StringVar(&f.profile, "profile", "sekoia", "output profile: sekoia, ocsf or raw")
	cmd.Flags().StringVar(&f.in, "in", "-", "input file, - for stdin")
	cmd.Flags().StringVar(&f.out, "out", "-", "output file, - for stdout")
	cmd.Flags().StringVar(&f.collected, "collected-at", "", "event time of the ocsf profile, RFC 3339 (default: now)")
	return cmd
}

// transformGCPercent is transform's garbage-collection target unless GOGC
// is set: it holds a few batches of records at a time (a few MiB live), so
// the collector's tight target would run a collection every few hundred
// records; this one runs far fewer and keeps the heap under ~50 MiB (a
// looser one grows it, and the system time of faulting in fresh memory
// from several threads eats what it saves).
const transformGCPercent = 200

func runTransform(cmd *cobra.Command, f transformFlags) error {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(transformGCPercent))
	}
	profile, err := transform.ParseProfile(f.profile)
	if err != nil {
		return err
	}
	stream, err := transform.ParseStream(f.stream)
	if err != nil {
		return fmt.Errorf("--stream: %w", err)
	}
	collected := time.Now()
	if f.collected != "" {
		if collected, err = time.Parse(time.RFC3339, f.collected); err != nil {
			return fmt.Errorf("--collected-at: %w", err)
		}
	}
	in, closeIn, err := openIn(cmd, f.in)
	if err != nil {
		return err
	}
	defer closeIn()
	out, finish, err := openOut(cmd, f.out)
	if err != nil {
		return err
	}
	var st convertStats
	var runErr error
	r := transform.NewReader(in)
	r.GraphQL = stream == transform.StreamAlerts
	if stream == transform.StreamAgents {
		st, runErr = convertAgents(r, out, cmd.ErrOrStderr(), profile, collected)
	} else {
		st, runErr = convert(r, out, cmd.ErrOrStderr(), stream, profile, collected)
	}
	if err := finish(); err != nil && runErr == nil {
		runErr = err
	}
	summary := fmt.Sprintf("transform: %d converted (%s, %s), %d skipped, %d with unreadable fields", st.converted, stream, profile, st.skipped, st.dropped)
	if st.answerErrors > 0 {
		summary += fmt.Sprintf(", %d answer(s) reporting errors", st.answerErrors)
	}
	fmt.Fprintln(cmd.ErrOrStderr(), summary)
	if runErr != nil {
		return runErr
	}
	if st.skipped > 0 || st.dropped > 0 || st.answerErrors > 0 {
		return exitError{exitSkipped}
	}
	return nil
}

type convertStats struct{ converted, skipped, dropped, answerErrors int }

// goesOn reports an error of the input that reading goes on past — a bad
// line, an answer's errors — and counts it.
func (st *convertStats) goesOn(errOut io.Writer, index int, err error) bool {
	switch {
	case errors.Is(err, transform.ErrBadRecord):
		st.skipped++
		fmt.Fprintf(errOut, "record %d: skipped: %v\n", index, err)
	case errors.Is(err, transform.ErrAnswer):
		st.answerErrors++
		if index < 0 {
			fmt.Fprintf(errOut, "%v\n", err)
			break
		}
		fmt.Fprintf(errOut, "after record %d: %v\n", index, err)
	default:
		return false
	}
	return true
}

func convert(r *transform.Reader, out io.Writer, errOut io.Writer, st transform.Stream, p transform.Profile, collected time.Time) (convertStats, error) {
	var stats convertStats
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		raw, err := r.Next()
		if errors.Is(err, io.EOF) {
			return stats, nil
		}
		if stats.goesOn(errOut, r.Index(), err) {
			continue
		}
		if err != nil {
			return stats, err
		}
		where := fmt.Sprintf("record %d", r.Index())
		if id := transform.RecordID(st, raw); id != "" {
			where += " (id " + id + ")"
		}
		if other := transform.Misfiled(st, raw); other != "" {
			stats.skipped++
			fmt.Fprintf(errOut, "%s: skipped: this looks like a record of %s, not of %s: is --stream right?\n", where, other, st)
			continue
		}
		ev, problems, err := p.MapRecord(st, raw, collected)
		if err != nil {
			stats.skipped++
			fmt.Fprintf(errOut, "%s: skipped: %v\n", where, err)
			continue
		}
		if !utf8.Valid(raw) {
			problems = append(problems, "the record holds bytes that are not UTF-8: each is replaced by U+FFFD")
		}
		for _, pr := range problems {
			fmt.Fprintf(errOut, "%s: %s\n", where, pr)
		}
		if len(problems) > 0 {
			stats.dropped++
		}
		if err := enc.Encode(ev); err != nil {
			return stats, fmt.Errorf("write event: %w", err)
		}
		stats.converted++
	}
}

// convertAgents is convert for agents, on every core: one goroutine reads
// the records (checking their syntax), the others decode each once into a
// reused agent and write its event without reflection (as encoding/json
// writes it, without HTML escaping); raw keeps each record, compacted. The
// events come out in the records' order.
func convertAgents(r *transform.Reader, out io.Writer, errOut io.Writer, p transform.Profile, collected time.Time) (convertStats, error) {
	var st convertStats
	err := transform.ConvertAgents(r, p, collected, runtime.GOMAXPROCS(0), func(o *transform.Outcome) error {
		if st.goesOn(errOut, o.Index, o.Err) {
			return nil
		}
		if o.Err != nil && !o.Skipped {
			return o.Err
		}
		where := fmt.Sprintf("record %d", o.Index)
		if o.ID != "" {
			where += " (id " + o.ID + ")"
		}
		if o.Skipped {
			st.skipped++
			fmt.Fprintf(errOut, "%s: skipped: %v\n", where, o.Err)
			return nil
		}
		for _, pr := range o.Problems {
			fmt.Fprintf(errOut, "%s: %s\n", where, pr)
		}
		if len(o.Problems) > 0 {
			st.dropped++
		}
		if _, err := out.Write(o.Line); err != nil {
			return fmt.Errorf("write event: %w", err)
		}
		st.converted++
		return nil
	})
	return st, err
}

func openIn(cmd *cobra.Command, path string) (io.Reader, func(), error) {
	if path == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--in: %w", err)
	}
	return f, func() { f.Close() }, nil
}

// openOut returns a buffered writer and a finish function that flushes and,
// for a file, syncs and closes it.
func openOut(cmd *cobra.Command, path string) (io.Writer, func() error, error) {
	if path == "-" {
		w := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<16)
		return w, w.Flush, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--out: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	return w, func() error {
		if err := w.Flush(); err != nil {
			f.Close()
			return fmt.Errorf("--out: %w", err)
		}
		if err := syncRegular(f); err != nil {
			f.Close()
			return fmt.Errorf("--out: %w", err)
		}
		return f.Close()
	}, nil
}

// syncRegular syncs a regular file; a device such as /dev/null cannot be.
func syncRegular(f *os.File) error {
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	return f.Sync()
}

package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// exitSkipped is the status when some records or field values were skipped.
const exitSkipped = 2

type transformFlags struct {
	profile   string
	in, out   string
	collected string
}

func newTransformCmd() *cobra.Command {
	var f transformFlags
	cmd := &cobra.Command{
		Use:   "transform",
		Short: "Turn SentinelOne agents (JSON) into OCSF device events (NDJSON)",
		Long: `Read agents as a JSON array, NDJSON, or whole API pages ({"data":[…],"pagination":…})
and write one event per line with the chosen profile:
  sekoia  the Sekoia.io asset connector's OCSF shape (epoch seconds, nulls kept)
  ocsf    strict OCSF 1.6.0 Device Inventory Info (milliseconds, no nulls)
  raw     the agent JSON unchanged

Input is streamed: memory does not grow with its size. A record that cannot be
converted, or a field whose value cannot be read, is reported on stderr with
its index and the field; the others still convert.

Exit status: 0 all converted; 2 some records or field values were skipped;
1 the input could not be read to its end.`,
		Example: `  s1collector transform --profile ocsf --in agents.json --out devices.ndjson
  curl -s -H "Authorization: ApiToken $S1_TOKEN" "$S1_URL/web/api/v2.1/agents?limit=1000" | s1collector transform`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTransform(cmd, f) },
	}
	cmd.Flags().StringVar(&f.profile, "profile", "sekoia", "output profile: sekoia, ocsf or raw")
	cmd.Flags().StringVar(&f.in, "in", "-", "input file, - for stdin")
	cmd.Flags().StringVar(&f.out, "out", "-", "output file, - for stdout")
	cmd.Flags().StringVar(&f.collected, "collected-at", "", "event time of the ocsf profile, RFC 3339 (default: now)")
	return cmd
}

// transformGCPercent is transform's garbage-collection target unless GOGC
// is set: it holds one record at a time (a few MiB live), so the
// collector's tight target would run a collection every few hundred
// records; this one keeps the heap under ~20 MiB and halves the CPU time.
const transformGCPercent = 400

func runTransform(cmd *cobra.Command, f transformFlags) error {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(transformGCPercent))
	}
	profile, err := transform.ParseProfile(f.profile)
	if err != nil {
		return err
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
	st, runErr := convert(in, out, cmd.ErrOrStderr(), profile, collected)
	if err := finish(); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "transform: %d converted (%s), %d skipped, %d with dropped fields\n", st.converted, profile, st.skipped, st.dropped)
	if runErr != nil {
		return runErr
	}
	if st.skipped > 0 || st.dropped > 0 {
		return exitError{exitSkipped}
	}
	return nil
}

type convertStats struct{ converted, skipped, dropped int }

func convert(in io.Reader, out io.Writer, errOut io.Writer, p transform.Profile, collected time.Time) (convertStats, error) {
	var st convertStats
	r := transform.NewReader(in)
	var a sentinelone.Agent
	var line []byte
	for {
		var problems []string
		var err error
		line, problems, err = next(line[:0], r, &a, p, collected)
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		where := fmt.Sprintf("record %d", r.Index())
		if p != transform.ProfileRaw && a.ID.Value != "" && !errors.Is(err, transform.ErrNotObject) {
			where += " (id " + a.ID.Value + ")"
		}
		var skip skipped
		if errors.As(err, &skip) {
			st.skipped++
			fmt.Fprintf(errOut, "%s: skipped: %v\n", where, skip.err)
			continue
		}
		if err != nil {
			return st, err
		}
		for _, pr := range problems {
			fmt.Fprintf(errOut, "%s: %s\n", where, pr)
		}
		if len(problems) > 0 {
			st.dropped++
		}
		if _, err := out.Write(line); err != nil {
			return st, fmt.Errorf("write event: %w", err)
		}
		st.converted++
	}
}

// next reads the next record and appends its line of NDJSON to dst: raw
// keeps the record (compacted), the other profiles decode it into a, once,
// and write the event as encoding/json does, without HTML escaping. An
// error of this record alone is a skipped.
func next(dst []byte, r *transform.Reader, a *sentinelone.Agent, p transform.Profile, collected time.Time) ([]byte, []string, error) {
	if p == transform.ProfileRaw {
		raw, err := r.Next()
		if err != nil {
			return dst, nil, err
		}
		buf := bytes.NewBuffer(dst)
		if err := json.Compact(buf, raw); err != nil {
			return dst, nil, fmt.Errorf("write event: %w", err)
		}
		return append(buf.Bytes(), '\n'), nil, nil
	}
	err := r.NextInto(a)
	if errors.Is(err, transform.ErrNotObject) {
		return dst, nil, skipped{err}
	}
	if err != nil {
		return dst, nil, err
	}
	line, problems, err := p.AppendMapped(dst, a, collected, false)
	if err != nil {
		return dst, nil, skipped{err}
	}
	return append(line, '\n'), problems, nil
}

// skipped is the error of one record, which is skipped; reading goes on.
type skipped struct{ err error }

func (e skipped) Error() string { return e.err.Error() }
func (e skipped) Unwrap() error { return e.err }

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

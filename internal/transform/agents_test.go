package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// outcome is an Outcome as a test compares it (Line copied, Err as text).
type outcome struct {
	Index    int
	ID, Line string
	Problems []string
	Err      string
	Skipped  bool
}

// oneByOne converts agents as transform did before it used every core:
// each record read with NextInto into one reused agent and mapped at once.
// It is the reference ConvertAgents must match.
func oneByOne(in string, p Profile, collected time.Time) []outcome {
	r := NewReader(strings.NewReader(in))
	var a sentinelone.Agent
	var got []outcome
	for {
		var o outcome
		var err error
		if p == ProfileRaw {
			var raw json.RawMessage
			if raw, err = r.Next(); err == nil {
				var buf bytes.Buffer
				_ = json.Compact(&buf, raw)
				o.Line = buf.String() + "\n"
			}
		} else if err = r.NextInto(&a); err == nil {
			var line []byte
			line, o.Problems, err = p.AppendMapped(nil, &a, collected, false)
			o.ID, o.Line, o.Skipped = a.ID.Value, string(line)+"\n", err != nil
			if err != nil {
				o.Line = ""
			}
		} else if errors.Is(err, ErrNotObject) {
			o.Skipped = true
		}
		if errors.Is(err, io.EOF) {
			return got
		}
		o.Index = r.Index()
		if err != nil {
			o.Err = err.Error()
		}
		got = append(got, o)
		if err != nil && !o.Skipped && !errors.Is(err, ErrBadRecord) && !errors.Is(err, ErrAnswer) {
			return got
		}
	}
}

func convertAll(t *testing.T, in string, p Profile, collected time.Time, workers int) []outcome {
	t.Helper()
	var got []outcome
	err := ConvertAgents(NewReader(strings.NewReader(in)), p, collected, workers, func(o *Outcome) error {
		c := outcome{Index: o.Index, ID: o.ID, Line: string(o.Line), Problems: o.Problems, Skipped: o.Skipped}
		if o.Err != nil {
			c.Err = o.Err.Error()
		}
		got = append(got, c)
		return nil
	})
	if err != nil {
		t.Fatalf("ConvertAgents: %v", err)
	}
	return got
}

// fleetInput is n emulated agents as NDJSON, with the records transform
// must report among them: bad lines, non-objects, agents without an id,
// odd field types, and first a very large agent, which keeps its batch's
// worker busy while the next batches finish.
func fleetInput(t *testing.T, n int) string {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Seed: 5, Agents: n, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `{"id":"big","computerName":"big","tags":[%s"x"]}`+"\n", strings.Repeat(`"padding padding padding",`, 40000))
	for i, a := range emulatorAgents(t, emu, nil) {
		switch i % 97 {
		case 13:
			b.WriteString("{\"id\": nope\n")
		case 29:
			b.WriteString("[5, null, {\"computerName\":\"no id\"}]\n")
		case 41:
			b.WriteString(`{"id":"odd` + fmt.Sprint(i) + `","cpuCount":{},"isActive":"maybe"}` + "\n")
		}
		b.Write(a)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestConvertAgentsMatchesOneByOne: on every core, each record gives the
// line, the reports and the order it gave when converted one by one.
func TestConvertAgentsMatchesOneByOne(t *testing.T) {
	collected := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fleet := fleetInput(t, 700)
	inputs := map[string]string{
		"fleet":     fleet,
		"page":      `{"data":[{"id":"1","computerName":"a","cpuCount":{}}, 5, {"computerName":"x"}, {"id":"4"}],"pagination":{"nextCursor":null}}`,
		"cut":       `[{"id":"1"},{"id":"2"},{"id":`,
		"bad end":   fleet[:len(fleet)/2] + "]\n{\"id\":\"after\"}\n",
		"empty":     "",
		"only junk": "nope\n{\n",
	}
	for name, in := range inputs {
		for _, p := range Profiles {
			want := oneByOne(in, p, collected)
			for _, workers := range []int{1, 2, 4} {
				t.Run(fmt.Sprintf("%s/%s/%d", name, p, workers), func(t *testing.T) {
					got := convertAll(t, in, p, collected, workers)
					if len(got) != len(want) {
						t.Fatalf("%d outcomes, want %d", len(got), len(want))
					}
					for i := range want {
						if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
							t.Fatalf("outcome %d:\n got %+v\nwant %+v", i, got[i], want[i])
						}
					}
				})
			}
		}
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestConvertAgentsReadsAheadALittle: a slow writer holds reading back, so
// the input is never held in memory (transform's help promises memory that
// does not grow with the input); and a writer's error stops the conversion
// with every goroutine ended.
func TestConvertAgentsReadsAheadALittle(t *testing.T) {
	in := strings.Repeat(`{"id":"1","computerName":"`+strings.Repeat("x", 1000)+`"}`+"\n", 20000) // ~20 MB
	synctest.Test(t, func(t *testing.T) {
		src := &countingReader{r: strings.NewReader(in)}
		stop := errors.New("disk full")
		var read int64
		err := ConvertAgents(NewReader(src), ProfileSekoia, time.Now(), 4, func(o *Outcome) error {
			synctest.Wait() // every goroutine has read, mapped and queued what it can
			read = src.n.Load()
			return stop
		})
		if !errors.Is(err, stop) {
			t.Fatalf("err = %v, want the writer's", err)
		}
		if limit := int64(4 << 20); read > limit {
			t.Fatalf("%d bytes read while the first event waited to be written, want at most %d", read, limit)
		}
	})
}

// TestConvertAgentsHandsOverBeforeWaiting: records read are converted and
// handed over before the reader waits for more input, so a producer that
// pauses (a pipe, a slow download) sees its events — and a failing writer
// is noticed — without waiting for a batch to fill.
func TestConvertAgentsHandsOverBeforeWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe()
		var emitted atomic.Int64
		done := make(chan error)
		go func() {
			done <- ConvertAgents(NewReader(pr), ProfileSekoia, time.Now(), 2, func(*Outcome) error {
				emitted.Add(1)
				return nil
			})
		}()
		for i := range 100 {
			fmt.Fprintf(pw, `{"id":"%d"}`+"\n", i)
		}
		synctest.Wait() // the producer pauses: everything else is blocked
		if n := emitted.Load(); n != 100 {
			t.Errorf("%d of the 100 records read were handed over while the input paused", n)
		}
		pw.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

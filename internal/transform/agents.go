package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"s1collector/internal/sentinelone"
)

// Outcome is what became of one record of agents; ConvertAgents hands them
// over in input order.
type Outcome struct {
	// Index is the record's 0-based position in the input (Reader.Index).
	Index int
	// ID is the agent's id when its record was read as an agent (not raw).
	ID string
	// Line is the event's line of NDJSON, newline included; it is valid
	// until the call it is handed to returns.
	Line []byte
	// Problems names the fields present but unreadable (dropped).
	Problems []string
	// Err is, with Skipped, why this record has no event; without it, an
	// error of the input: ErrBadRecord or ErrAnswer, which reading goes on
	// past, or any other, which ends reading (it is then the last outcome).
	Err     error
	Skipped bool
}

// Records go to the workers in batches of this many, or of about this many
// bytes, which keeps the records in flight to a few MiB.
const (
	batchRecords = 256
	batchBytes   = 512 << 10
)

// ConvertAgents reads agent records from r and maps them with p (raw: the
// record compacted) on up to workers goroutines, handing each record's
// outcome to emit in input order, as the records came. An error from emit
// stops the conversion and is returned. Records are read once, by one
// goroutine (the reader checks their syntax), and decoded and mapped by the
// others; what is in flight is bounded (a few batches per worker).
func ConvertAgents(r *Reader, p Profile, collected time.Time, workers int, emit func(*Outcome) error) error {
	workers = max(workers, 1)
	c := &converter{r: r, p: p, collected: collected,
		order: make(chan *batch, 2*workers), jobs: make(chan *batch, 2*workers),
		free: make(chan *batch, 3*workers+2), quit: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(c.read)
	for range workers {
		wg.Go(c.work)
	}
	err := c.emitAll(emit)
	close(c.quit)
	for range c.order { // let the reader see quit or finish
	}
	wg.Wait()
	return err
}

type converter struct {
	r         *Reader
	p         Profile
	collected time.Time
	order     chan *batch // batches in input order, for emitAll
	jobs      chan *batch // the same batches, for the workers
	free      chan *batch // batches to reuse
	quit      chan struct{}
}

// batch is some records, one after another in raw, and their outcomes.
type batch struct {
	raw   []byte
	ends  []int // the end in raw of each item's record
	out   []byte
	lines []int // the end in out of each item's line
	items []Outcome
	done  chan struct{}
}

func (c *converter) newBatch() *batch {
	select {
	case b := <-c.free:
		b.raw, b.ends, b.out, b.lines, b.items = b.raw[:0], b.ends[:0], b.out[:0], b.lines[:0], b.items[:0]
		b.done = make(chan struct{})
		return b
	default:
		return &batch{done: make(chan struct{})}
	}
}

// read fills batches from the reader until the input ends, reading cannot
// go on, or emitAll has stopped.
func (c *converter) read() {
	defer close(c.jobs)
	defer close(c.order)
	for {
		b, last := c.fill()
		if len(b.items) > 0 {
			select {
			case c.order <- b:
			case <-c.quit:
				return
			}
			c.jobs <- b // the workers drain jobs until it is closed
		}
		if last {
			return
		}
	}
}

// fill reads one batch; last is true at the input's end or at an error that
// ends reading.
func (c *converter) fill() (b *batch, last bool) {
	b = c.newBatch()
	for len(b.items) < batchRecords && len(b.raw) < batchBytes {
		raw, err := c.r.AppendNext(b.raw)
		if errors.Is(err, io.EOF) {
			return b, true
		}
		b.raw = raw
		b.ends = append(b.ends, len(raw))
		b.items = append(b.items, Outcome{Index: c.r.Index(), Err: err})
		if err != nil && !errors.Is(err, ErrBadRecord) && !errors.Is(err, ErrAnswer) {
			return b, true
		}
	}
	return b, false
}

// work decodes and maps the batches' records, each worker into its own
// reused agent.
func (c *converter) work() {
	var a sentinelone.Agent
	for b := range c.jobs {
		start := 0
		for i := range b.items {
			it := &b.items[i]
			if it.Err == nil {
				b.out, it.ID, it.Problems, it.Err = c.convert(b.out, b.raw[start:b.ends[i]], &a)
				it.Skipped = it.Err != nil
			}
			b.lines = append(b.lines, len(b.out))
			start = b.ends[i]
		}
		close(b.done)
	}
}

// convert appends the line of one record (checked JSON) to dst.
func (c *converter) convert(dst, raw []byte, a *sentinelone.Agent) ([]byte, string, []string, error) {
	if c.p == ProfileRaw {
		buf := bytes.NewBuffer(dst)
		if err := json.Compact(buf, raw); err != nil {
			return dst, "", nil, fmt.Errorf("write event: %w", err)
		}
		return append(buf.Bytes(), '\n'), "", nil, nil
	}
	if !isObject(raw) {
		return dst, "", nil, fmt.Errorf("%w: %s", ErrNotObject, preview(raw))
	}
	a.DecodeChecked(raw)
	line, problems, err := c.p.AppendMapped(dst, a, c.collected, false)
	if err != nil {
		return dst, a.ID.Value, nil, err
	}
	return append(line, '\n'), a.ID.Value, problems, nil
}

// emitAll hands the outcomes over in input order.
func (c *converter) emitAll(emit func(*Outcome) error) error {
	for b := range c.order {
		<-b.done
		start := 0
		for i := range b.items {
			b.items[i].Line = b.out[start:b.lines[i]]
			start = b.lines[i]
			if err := emit(&b.items[i]); err != nil {
				return err
			}
		}
		select {
		case c.free <- b:
		default:
		}
	}
	return nil
}

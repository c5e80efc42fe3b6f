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
// others; what is in flight is bounded (about two batches per worker, a
// record larger than that alone), and
// what was read is handed over before the reader waits for more input, so
// a slow producer sees its events (and a failing writer is noticed) at once.
func ConvertAgents(r *Reader, p Profile, collected time.Time, workers int, emit func(*Outcome) error) error {
	workers = max(workers, 1)
	c := &converter{r: r, p: p, collected: collected,
		order: make(chan *batch, workers), jobs: make(chan *batch, workers),
		free: make(chan *batch, 2*workers+2), quit: make(chan struct{}),
		bytes: newInflight(2 * workers * batchBytes)}
	var wg sync.WaitGroup
	wg.Go(c.read)
	for range workers {
		wg.Go(c.work)
	}
	err := c.emitAll(emit)
	close(c.quit)
	c.bytes.close()
	if err != nil {
		// The reader may be waiting on its input, which nothing can cut
		// short: it ends when that read returns, the workers with it.
		return err
	}
	wg.Wait()
	return nil
}

type converter struct {
	r         *Reader
	p         Profile
	collected time.Time
	order     chan *batch // batches in input order, for emitAll
	jobs      chan *batch // the same batches, for the workers
	free      chan *batch // batches to reuse
	quit      chan struct{}
	bytes     *inflight // the records' bytes between the reader and emitAll

	// The reader's: the batch being filled, the record being read, and
	// whether emitAll has stopped.
	cur     *batch
	scratch []byte
	stopped bool
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

// A batch whose buffers grew past these (huge records) is not kept for
// reuse, so that memory goes back to what ordinary records need.
const (
	keepRaw = 2 * batchBytes
	keepOut = 8 * batchBytes
)

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
	c.r.OnWait(func() { c.send() })
	for !c.fill() && c.send() {
	}
	c.send()
}

// send hands the batch being filled, if it holds records, to the workers
// and emitAll. It reports false once emitAll has stopped.
func (c *converter) send() bool {
	b := c.cur
	if c.stopped || b == nil || len(b.items) == 0 {
		return !c.stopped
	}
	c.cur = nil
	if !c.bytes.take(len(b.raw)) {
		c.stopped = true
		return false
	}
	select {
	case c.order <- b:
	case <-c.quit:
		c.stopped = true
		return false
	}
	c.jobs <- b // the workers drain jobs until it is closed
	return true
}

// fill reads records into the batch at hand until it is full; it returns
// true at the input's end, at an error that ends reading, or once emitAll
// has stopped.
func (c *converter) fill() (last bool) {
	for !c.stopped {
		if b := c.cur; b != nil && (len(b.items) >= batchRecords || len(b.raw) >= batchBytes) {
			return false
		}
		var err error
		c.scratch, err = c.r.AppendNext(c.scratch[:0]) // may send the batch while it waits
		if errors.Is(err, io.EOF) {
			return true
		}
		if c.cur == nil { // none yet, or sent while the reader waited
			c.cur = c.newBatch()
		}
		b := c.cur
		b.raw = append(b.raw, c.scratch...)
		b.ends = append(b.ends, len(b.raw))
		b.items = append(b.items, Outcome{Index: c.r.Index(), Err: err})
		if err != nil && !errors.Is(err, ErrBadRecord) && !errors.Is(err, ErrAnswer) {
			return true
		}
	}
	return true
}

// work decodes and maps the batches' records, each worker into its own
// reused agent.
func (c *converter) work() {
	var a sentinelone.Agent
	for b := range c.jobs {
		select {
		case <-c.quit: // emitAll has stopped: nobody will read it
			close(b.done)
			continue
		default:
		}
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
func (c *converter) convert(dst, raw []byte, a *sentinelone.Agent) (line []byte, id string, problems []string, err error) {
	defer func() { // decoding included; nothing of the record is kept
		if v := recover(); v != nil {
			line, err = dst, crashed(v)
		}
	}()
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
	line, problems, err = c.p.AppendMapped(dst, a, c.collected, false)
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
		c.bytes.give(len(b.raw))
		if cap(b.raw) > keepRaw || cap(b.out) > keepOut {
			continue
		}
		select {
		case c.free <- b:
		default:
		}
	}
	return nil
}

package transform

import (
	"bufio"
	"bytes"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// tape keeps the bytes of the input from the start of the top-level
// record being read, so that a record that is not valid JSON (a bad NDJSON
// line) can be skipped to the next line and reading resumed there. It is
// on only between top-level values and inside top-level records, never
// inside an array or a page (whose records cannot be told apart by lines),
// so it holds about one record.
type tape struct {
	src io.Reader
	in  *bufio.Reader // the buffered input, at the end of src
	// waiting, when set, is called before a read that may wait for the
	// input: when nothing is left in the buffer.
	waiting func()
	on      bool
	buf     []byte // what the decoder read since offset at
	at      int64  // the input offset of buf[0]
	rec     int64  // the input offset where the record at hand starts
}

// Read reads for the decoder, keeping what it reads while on.
func (t *tape) Read(p []byte) (int, error) {
	t.mayWait()
	n, err := t.src.Read(p)
	if t.on {
		t.buf = append(t.buf, p[:n]...)
	}
	return n, err
}

// start marks where a top-level value starts: at the decoder's offset
// (base is the input offset of the decoder's first byte). Turning on, the
// tape takes what the decoder holds unread.
func (t *tape) start(dec *jsontext.Decoder, base int64) {
	t.rec = base + dec.InputOffset()
	if !t.on {
		t.on = true
		t.buf = append(t.buf[:0], dec.UnreadBuffer()...)
		t.at = t.rec
	}
	t.keepFrom(t.rec)
}

// mayWait calls waiting when the next read may wait for the input.
func (t *tape) mayWait() {
	if t.waiting != nil && t.in.Buffered() == 0 {
		t.waiting()
	}
}

// keepFrom lets go of what is before offset, once it is most of the tape.
func (t *tape) keepFrom(offset int64) {
	if drop := offset - t.at; t.on && drop > 1<<16 && drop > int64(len(t.buf))/2 {
		t.buf = append(t.buf[:0], t.buf[drop:]...)
		t.at = offset
	}
}

// stop turns the tape off: the value at hand is an array or a page.
func (t *tape) stop() {
	t.on = false
	if cap(t.buf) > 1<<20 {
		t.buf = nil
	} else {
		t.buf = t.buf[:0]
	}
}

// skipLine moves the input past the line on which the record at hand
// starts, and returns the input offset where reading resumes; false when
// the input ends on that line (it was cut short: nothing to resume). The
// tape then reads what the decoder had read past that line, then the rest
// of the input.
func (t *tape) skipLine() (int64, bool) {
	rec := t.buf[min(max(t.rec-t.at, 0), int64(len(t.buf))):]
	start := len(rec) - len(bytes.TrimLeft(rec, " \t\r\n"))
	nl := bytes.IndexByte(rec[start:], '\n')
	for nl < 0 { // the line goes on past what the decoder read
		chunk := make([]byte, 4096)
		t.mayWait()
		n, err := t.src.Read(chunk)
		rec = append(rec, chunk[:n]...)
		nl = bytes.IndexByte(rec[start:], '\n')
		if nl < 0 && err != nil {
			return 0, false
		}
	}
	resume := start + nl + 1
	rest := bytes.Clone(rec[resume:])
	t.src = io.MultiReader(bytes.NewReader(rest), t.src)
	t.buf, t.at = t.buf[:0], t.rec+int64(resume)
	return t.at, true
}

package transform

import (
	"sync"
	"time"

	"s1collector/internal/jsonenc"
	"s1collector/internal/sentinelone"
)

// partsPool holds the parts of strict events that are written at once and
// dropped, as streams write them: an agent's event then allocates nothing
// of its own (its parts, at about 1.4 KB, were most of what mapping an
// agent allocated).
var partsPool = sync.Pool{New: func() any { return new(strictParts) }}

// appendStrict maps an agent as Strict does and appends the event's JSON
// to dst. Nothing of the event outlives the call: its facts and parts are
// zeroed and go back to their pools (the problems are the caller's).
func appendStrict(dst []byte, a *sentinelone.Agent, collected time.Time, html bool) ([]byte, []string, error) {
	f := spareFacts.Get().(*facts)
	defer putFacts(f)
	if err := f.fill(a); err != nil {
		return dst, nil, err
	}
	p := partsPool.Get().(*strictParts)
	defer putParts(p)
	ev := strictEvent(f, collected, p)
	p.w = jsonenc.Writer{B: dst, HTML: html}
	ev.AppendJSON(&p.w)
	return p.w.B, f.problems, nil
}

// putParts clears p, so that it holds on to nothing of its agent, and
// gives it back to partsPool.
func putParts(p *strictParts) {
	*p = strictParts{}
	partsPool.Put(p)
}

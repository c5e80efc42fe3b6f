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
// to dst. Nothing of the event outlives the call: its parts are zeroed and
// go back to the pool.
func appendStrict(dst []byte, a *sentinelone.Agent, collected time.Time, html bool) ([]byte, []string, error) {
	p := partsPool.Get().(*strictParts)
	defer func() {
		*p = strictParts{} // drops what they point at: the agent's strings
		partsPool.Put(p)
	}()
	ev, problems, err := strictInto(a, collected, p)
	if err != nil {
		return dst, nil, err
	}
	p.w = jsonenc.Writer{B: dst, HTML: html}
	ev.AppendJSON(&p.w)
	return p.w.B, problems, nil
}

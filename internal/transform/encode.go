package transform

import (
	"s1collector/internal/jsonenc"
	"s1collector/internal/ocsf"
)

// AppendJSON appends an event Map returned, byte for byte as encoding/json
// writes it: with html, as Marshal does (<, > and & escaped); without, as
// an Encoder with SetEscapeHTML(false) does (without its newline).
func AppendJSON(dst []byte, event any, html bool) []byte {
	w := jsonenc.Writer{B: dst, HTML: html}
	switch e := event.(type) {
	case SekoiaEvent:
		e.AppendJSON(&w)
	case ocsf.InventoryInfo:
		e.AppendJSON(&w)
	default:
		w.Any(event)
	}
	return w.B
}

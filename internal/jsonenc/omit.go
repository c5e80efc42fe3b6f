package jsonenc

// The members of structs written as encoding/json writes them with
// omitempty on a pointer or a slice: left out when nil or empty.

// OmitStringPtr writes a member holding *p unless p is nil.
func (w *Writer) OmitStringPtr(k string, p *string) {
	if p != nil {
		w.KeyString(k, *p)
	}
}

// OmitIntPtr writes a member holding *p unless p is nil.
func (w *Writer) OmitIntPtr(k string, p *int64) {
	if p != nil {
		w.KeyInt(k, *p)
	}
}

// OmitBoolPtr writes a member holding *p unless p is nil.
func (w *Writer) OmitBoolPtr(k string, p *bool) {
	if p != nil {
		w.Key(k)
		w.Bool(*p)
	}
}

// OmitStrings writes a member holding list unless it is empty.
func (w *Writer) OmitStrings(k string, list []string) {
	if len(list) > 0 {
		w.Key(k)
		w.Strings(list)
	}
}

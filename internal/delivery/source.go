package delivery

// SourceInfo is what events say about where they come from.
type SourceInfo struct {
	Name     string
	Category string
	Fields   map[string]string
	// SiemForward asks that events be forwarded to Sumo Logic Cloud SIEM:
	// Sumo Logic outputs add Cloud SIEM's _siem* fields; others ignore it.
	SiemForward bool
	// Host is the console's host name.
	Host string
}

// Meta returns the metadata every event of the source carries: _source,
// and _sourceCategory and _fields when set.
func (s SourceInfo) Meta() []Field {
	out := []Field{{"_source", s.Name}}
	if s.Category != "" {
		out = append(out, Field{"_sourceCategory", s.Category})
	}
	if len(s.Fields) > 0 {
		out = append(out, Field{"_fields", s.Fields})
	}
	return out
}

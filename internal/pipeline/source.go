package pipeline

// SourceInfo is what events say about where they come from.
type SourceInfo struct {
	Name     string
	Category string
	Fields   map[string]string
	// SiemForward adds the Sumo Logic Cloud SIEM fields.
	SiemForward bool
	// Host is the console's host name.
	Host string
}

// meta returns the metadata of one event of a stream. siemType is the
// activity type for activities, the id for threats.
func (s SourceInfo) meta(stream, siemType string) []Field {
	out := []Field{{"_source", s.Name}}
	if s.Category != "" {
		out = append(out, Field{"_sourceCategory", s.Category})
	}
	if len(s.Fields) > 0 {
		out = append(out, Field{"_fields", s.Fields})
	}
	if !s.SiemForward {
		return out
	}
	out = append(out, Field{"_siemVendor", "SentinelOne"}, Field{"_siemProduct", "MGMT API"}, Field{"_siemFormat", "JSON"})
	switch stream {
	case "agents":
		out = append(out, Field{"_siemEventID", "agents"}, Field{"_siemDataType", "Inventory"})
	default:
		out = append(out, Field{"_siemEventID", stream + "-" + siemType})
	}
	return out
}

package delivery

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

// Meta returns the metadata of one event of a stream. siemType is the
// activity type for activities, the id for threats.
func (s SourceInfo) Meta(stream, siemType string) []Field {
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
	return append(out, siemFields(stream, siemType)...)
}

// siemFields are the Sumo Logic Cloud SIEM fields of an event of stream;
// eventType is its activity type (activities) or id (threats). Unified
// and STAR alerts have one event id each: alerts, cloud_detection_alerts.
func siemFields(stream, eventType string) []Field {
	out := []Field{{"_siemVendor", "SentinelOne"}, {"_siemProduct", "MGMT API"}, {"_siemFormat", "JSON"}}
	switch stream {
	case "agents":
		return append(out, Field{"_siemEventID", "agents"}, Field{"_siemDataType", "Inventory"})
	case "alerts", "cloud_detection_alerts":
		return append(out, Field{"_siemEventID", stream})
	}
	return append(out, Field{"_siemEventID", stream + "-" + eventType})
}

// CommonSiemFields are the Cloud SIEM fields every event of stream shares,
// for outputs that send them once per request (Sumo's X-Sumo-Fields).
func CommonSiemFields(stream string) []Field {
	f := siemFields(stream, "")
	if stream == "activities" || stream == "threats" {
		f = f[:len(f)-1] // the event id differs from event to event
	}
	return f
}

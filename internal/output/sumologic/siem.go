package sumologic

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"s1collector/internal/delivery"
)

// Sumo Logic's limits on the fields of one request (X-Sumo-Fields).
const (
	MaxFields     = 30
	MaxFieldKey   = 255
	MaxFieldValue = 200
)

// siemRule is how Cloud SIEM's fields are made for the events of a stream,
// as Sumo's own SentinelOne Mgmt API source makes them.
type siemRule struct {
	eventID  func(e delivery.Event) string
	dataType string // _siemDataType, when the stream has one
}

// siemRules are Cloud SIEM's rules per stream. A stream not listed here
// uses its name as _siemEventID: alerts, cloud_detection_alerts.
var siemRules = map[string]siemRule{
	"agents":     {eventID: func(delivery.Event) string { return "agents" }, dataType: "Inventory"},
	"activities": {eventID: func(e delivery.Event) string { return "activities-" + e.Kind }},
	"threats":    {eventID: func(e delivery.Event) string { return "threats-" + e.ID }},
}

func ruleOf(stream string) siemRule {
	if r, ok := siemRules[stream]; ok {
		return r
	}
	return siemRule{eventID: func(delivery.Event) string { return stream }}
}

// siemFields are the Cloud SIEM fields of an event whose _siemEventID is
// eventID, in the order they are added to the event.
func siemFields(stream, eventID string) []delivery.Field {
	f := []delivery.Field{{Key: "_siemVendor", Value: "SentinelOne"}, {Key: "_siemProduct", Value: "MGMT API"},
		{Key: "_siemFormat", Value: "JSON"}, {Key: "_siemEventID", Value: eventID}}
	if dt := ruleOf(stream).dataType; dt != "" {
		f = append(f, delivery.Field{Key: "_siemDataType", Value: dt})
	}
	return f
}

// Fields are the fields of a request: the source's fields and, when it
// forwards to Cloud SIEM, _siemForward and the Cloud SIEM fields of its
// events, which all share eventID.
func Fields(info delivery.SourceInfo, stream, eventID string) map[string]string {
	f := maps.Clone(info.Fields)
	if f == nil {
		f = map[string]string{}
	}
	if info.SiemForward {
		f["_siemForward"] = "true"
		for _, field := range siemFields(stream, eventID) {
			f[field.Key] = fmt.Sprint(field.Value)
		}
	}
	return f
}

// encodeFields is the X-Sumo-Fields value: key=value pairs, sorted, with
// the separators "," and "=" of values replaced by spaces.
func encodeFields(f map[string]string) string {
	keys := slices.Sorted(maps.Keys(f))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fieldValue(f[k])
	}
	return strings.Join(parts, ",")
}

var separators = strings.NewReplacer(",", " ", "=", " ")

// fieldValue is v as X-Sumo-Fields can carry it: no separators, at most
// MaxFieldValue characters.
func fieldValue(v string) string {
	v = separators.Replace(v)
	if r := []rune(v); len(r) > MaxFieldValue {
		v = string(r[:MaxFieldValue])
	}
	return v
}

// FieldProblem is a field that Sumo Logic would not take.
type FieldProblem struct {
	Key string // the field at fault; empty when the problem is their number
	Msg string
}

// CheckFields reports what in the source's fields breaks Sumo Logic's
// limits on a request of stream: at most MaxFields fields, counting the
// Cloud SIEM fields; keys of at most MaxFieldKey characters, values of at
// most MaxFieldValue.
func CheckFields(info delivery.SourceInfo, stream string) []FieldProblem {
	var out []FieldProblem
	all := Fields(info, stream, stream)
	if n := len(all); n > MaxFields {
		siem := n - len(info.Fields)
		out = append(out, FieldProblem{Msg: fmt.Sprintf("%d fields and the %d Cloud SIEM fields of %s make %d in X-Sumo-Fields; Sumo Logic takes at most %d a request: drop %d",
			len(info.Fields), siem, stream, n, MaxFields, n-MaxFields)})
	}
	for _, k := range slices.Sorted(maps.Keys(info.Fields)) {
		if strings.ContainsAny(k, ",=") {
			out = append(out, FieldProblem{Key: k, Msg: "key contains ',' or '=', the separators of X-Sumo-Fields"})
		}
		if n := len([]rune(k)); n > MaxFieldKey {
			out = append(out, FieldProblem{Key: k, Msg: fmt.Sprintf("key of %d characters; Sumo Logic takes keys of at most %d", n, MaxFieldKey)})
		}
		if n := len([]rune(info.Fields[k])); n > MaxFieldValue {
			out = append(out, FieldProblem{Key: k, Msg: fmt.Sprintf("value of %d characters; Sumo Logic takes values of at most %d", n, MaxFieldValue)})
		}
	}
	return out
}

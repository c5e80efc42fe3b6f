package sekoia

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// MappingVersion names how devices become asset items. Bump it whenever
// item changes what a device sends: every device is then sent again once.
const MappingVersion = "2"

// item turns a device in the sekoia profile (the seed's shape) into what
// Sekoia.io's asset API takes, as its SDK sends it (the contract of
// device-inventory-mapping.md): device.type_id and its caption, the SDK's
// os.type enum with os.type_id, a hostname always, vendor_name, the
// enrichment's Firewall_status and Users, and no null anywhere. Everything
// else of the profile stays. fallback is the time used when the device has
// none; hostnameFromID reports that the id stood in for a missing hostname.
func item(body []byte, fallback time.Time) (out []byte, hostnameFromID bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false, errors.New("not a JSON object")
	}
	device, _ := m["device"].(map[string]any)
	uid, _ := device["uid"].(string)
	if uid == "" {
		return nil, false, errors.New("no device.uid")
	}
	if h, _ := device["hostname"].(string); strings.TrimSpace(h) == "" {
		device["hostname"], hostnameFromID = uid, true
	}
	typeID := deviceTypeID(device)
	device["type_id"], device["type"] = typeID, deviceTypes[typeID]
	if os, ok := device["os"].(map[string]any); ok {
		os["type"], os["type_id"] = osType(os["type"])
	}
	if metadata, ok := m["metadata"].(map[string]any); ok {
		if product, ok := metadata["product"].(map[string]any); ok {
			product["vendor_name"] = "SentinelOne"
		}
	}
	if m["time"] == nil {
		m["time"] = itemTime(device, fallback)
	}
	enrich(m, device)
	prune(m)
	out, err = json.Marshal(m)
	return out, hostnameFromID, err
}

// deviceTypes are the captions of the SDK's device type_id enum.
var deviceTypes = map[int]string{0: "Unknown", 1: "Server", 2: "Desktop", 6: "Virtual", 99: "Other"}

// deviceTypeID reads machine_type (else the seed's type): servers 1,
// desktops and laptops 2 (the SDK's enum has no laptop), Kubernetes, ECS
// and container workloads 6, unknown 0, anything else 99.
func deviceTypeID(device map[string]any) int {
	mt, _ := device["machine_type"].(string)
	if mt == "" {
		mt, _ = device["type"].(string)
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case mt == "" || mt == "unknown":
		return 0
	case mt == "server":
		return 1
	case mt == "desktop" || mt == "laptop" || mt == "computer":
		return 2
	case strings.Contains(mt, "kubernetes") || strings.Contains(mt, "ecs") || strings.Contains(mt, "container"):
		return 6
	}
	return 99
}

// osType maps the seed's os.type caption to the SDK's enum and type_id.
func osType(seed any) (string, int) {
	switch seed {
	case "Windows":
		return "windows", 100
	case "AppleOS":
		return "macos", 300
	case "Linux":
		return "linux", 200
	case "Other":
		return "other", 99
	}
	return "unknown", 0
}

// itemTime is the event time the API requires when the device has no
// creation time: its update time, else fallback, in epoch seconds.
func itemTime(device map[string]any, fallback time.Time) any {
	if t, ok := device["updated_time"].(json.Number); ok {
		return t
	}
	return fallback.Unix()
}

// enrich adds to the device_security enrichment what the SDK's enrichment
// model knows: Firewall_status and Users.
func enrich(m, device map[string]any) {
	list, _ := m["enrichments"].([]any)
	if len(list) == 0 {
		return
	}
	e, _ := list[0].(map[string]any)
	data, _ := e["data"].(map[string]any)
	if data == nil {
		return
	}
	if fw, ok := device["is_firewall_enabled"].(bool); ok {
		data["Firewall_status"] = map[bool]string{true: "Enabled", false: "Disabled"}[fw]
	}
	if user, _ := device["user_name"].(string); user != "" {
		data["Users"] = []string{user}
	}
}

// prune removes every null, at any depth: the SDK posts without them.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == nil {
				delete(v, k)
				continue
			}
			v[k] = prune(x)
		}
	case []any:
		kept := v[:0]
		for _, x := range v {
			if x != nil {
				kept = append(kept, prune(x))
			}
		}
		return kept
	}
	return v
}

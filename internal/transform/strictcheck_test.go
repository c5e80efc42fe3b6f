package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"regexp"
	"s1collector/internal/ocsf"
)

// inventorySchema compiles the official OCSF 1.6.0 Device Inventory Info
// JSON Schema (no profiles) shipped under testdata/schema.
func inventorySchema(t testing.TB) func(testing.TB, []byte) {
	t.Helper()
	f, err := os.Open("testdata/schema/inventory_info.noprofiles.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("inventory_info.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("inventory_info.json")
	if err != nil {
		t.Fatal(err)
	}
	return func(t testing.TB, event []byte) {
		t.Helper()
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(event))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("event does not validate against OCSF 1.6.0: %v\n%s", err, event)
		}
	}
}

// checkStrict makes the checks JSON Schema cannot: type_uid arithmetic,
// every caption spelled as the schema spells it, milliseconds, no nulls,
// valid IPs and MACs, and a metadata.uid.
func checkStrict(t testing.TB, event []byte) {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	walkNulls("", ev, bad)
	num := func(m map[string]any, k string) int { v, _ := m[k].(float64); return int(v) }
	if num(ev, "type_uid") != num(ev, "class_uid")*100+num(ev, "activity_id") {
		bad("type_uid %d is not class_uid*100+activity_id", num(ev, "type_uid"))
	}
	want := map[string]string{"activity_name": "Collect", "category_name": "Discovery", "class_name": "Device Inventory Info",
		"type_name": "Device Inventory Info: Collect", "severity": ocsf.SeverityCaption(num(ev, "severity_id"))}
	for k, v := range want {
		if ev[k] != v {
			bad("%s = %v, want %q", k, ev[k], v)
		}
	}
	if tm := num(ev, "time"); tm < 1e12 {
		bad("time %d is not in milliseconds", tm)
	}
	md := ev["metadata"].(map[string]any)
	if md["uid"] == "" || md["uid"] == nil {
		bad("metadata.uid is missing")
	}
	if p := md["product"].(map[string]any); p["name"] != "SentinelOne" || p["vendor_name"] != "SentinelOne" {
		bad("metadata.product = %v", p)
	}
	checkDevice(ev["device"].(map[string]any), num, bad)
	if len(problems) > 0 {
		t.Errorf("strict OCSF checks failed:\n  %s\n%s", strings.Join(problems, "\n  "), event)
	}
}

func checkDevice(d map[string]any, num func(map[string]any, string) int, bad func(string, ...any)) {
	if id := num(d, "type_id"); id != ocsf.DeviceOther && d["type"] != ocsf.DeviceTypeCaption(id) {
		bad("device.type %v is not the caption of type_id %d", d["type"], id)
	}
	if _, ok := d["risk_level_id"]; ok && d["risk_level"] != ocsf.RiskLevelCaption(num(d, "risk_level_id")) {
		bad("device.risk_level %v does not match risk_level_id", d["risk_level"])
	}
	if os, ok := d["os"].(map[string]any); ok && os["type"] != ocsf.OSTypeCaption(num(os, "type_id")) {
		bad("device.os.type %v is not the caption of %d", os["type"], num(os, "type_id"))
	}
	for _, k := range []string{"created_time", "modified_time", "last_seen_time"} {
		if v, ok := d[k]; ok && v.(float64) < 1e11 {
			bad("device.%s %v is not in milliseconds", k, v)
		}
	}
	checkAddr := func(where string, m map[string]any) {
		if ip, ok := m["ip"].(string); ok {
			if _, err := netip.ParseAddr(ip); err != nil {
				bad("%s.ip %q is not an IP", where, ip)
			}
		}
		if mac, ok := m["mac"].(string); ok && !macPattern.MatchString(mac) {
			bad("%s.mac %q is not a MAC", where, mac)
		}
	}
	checkAddr("device", d)
	nics, _ := d["network_interfaces"].([]any)
	for i, n := range nics {
		nic := n.(map[string]any)
		checkAddr(fmt.Sprintf("network_interfaces[%d]", i), nic)
		if _, ok := nic["type_id"]; ok && nic["type"] != ocsf.InterfaceTypeCaption(num(nic, "type_id")) {
			bad("network_interfaces[%d].type %v is not the caption", i, nic["type"])
		}
	}
	agents, _ := d["agent_list"].([]any)
	for i, a := range agents {
		if ag := a.(map[string]any); ag["type"] != ocsf.AgentTypeCaption(num(ag, "type_id")) {
			bad("agent_list[%d].type %v is not the caption", i, ag["type"])
		}
	}
}

func walkNulls(path string, v any, bad func(string, ...any)) {
	switch x := v.(type) {
	case nil:
		bad("%s is null", path)
	case map[string]any:
		for k, e := range x {
			walkNulls(path+"."+k, e, bad)
		}
	case []any:
		for i, e := range x {
			walkNulls(fmt.Sprintf("%s[%d]", path, i), e, bad)
		}
	}
}

// macPattern is the schema's MAC address pattern, which isMAC implements.
var macPattern = regexp.MustCompile(`^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$`)

func TestIsMACIsThePattern(t *testing.T) {
	for _, m := range []string{"bc:24:11:b4:ad:14", "BC-24-11-B4-AD-14", "bc:24-11:b4-ad:14", "bc:24:11:b4:ad:1", "bc:24:11:b4:ad:145",
		"bc:24:11:b4:ad:1g", "bc.24.11.b4.ad.14", "", "00:25:96:FF:FE:12:34:56", "zz:zz", "bc:24:11:b4:ad:14\n", " bc:24:11:b4:ad:14"} {
		if isMAC(m) != macPattern.MatchString(m) {
			t.Errorf("%q: isMAC %v, pattern %v", m, isMAC(m), macPattern.MatchString(m))
		}
	}
}

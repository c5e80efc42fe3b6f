package sentinelone_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// oddAgents are records with every kind of value the lenient types
// tolerate, for the differential tests and as fuzz seeds.
var oddAgents = []string{
	`{"id":"1","networkInterfaces":[]}`,
	`{"id":"2","networkInterfaces":null,"ipv4Addresses":[],"macAddresses":null}`,
	`{"id":3,"isActive":"yes","isUpToDate":"no","infected":"NO","firewallEnabled":" TRUE ","encryptedApplications":"null","isDecommissioned":1,"isUninstalled":0}`,
	`{"id":"4","isActive":"","isPendingUninstall":{},"cpuCount":"4.0","coreCount":4.5,"totalMemory":"1e3","activeThreats":"-2","threatCount":"lots"}`,
	`{"id":"5","activeDirectory":"x","ipv4Addresses":"10.0.0.1","ipv6Addresses":[null,1,{},"::1"],"macAddresses":[true,"aa"]}`,
	`{"id":"6","networkInterfaces":[null,1,{"inet":"10.0.0.2","inet6":[],"physical":5},{"name":{"x":1}}],"activeDirectory":null}`,
	`{"id":"7","computerName":"a\"b\u00e9\\","domain":123,"osName":true,"serialNumber":[],"updatedAt":"2026-01-01T00:00:00Z"}`,
	"{\"id\":\"8\",\"computerName\":\"bad \xff utf-8\",\"domain\":\"esc \\u00e9 \xfe\",\"c\\u006fmputerName\":\"escaped key\"}",
	`{"id":"9","id":"10","cpuCount":1,"cpuCount":"x"}`,
	// A model reused for the next record must keep nothing of this one's
	// interfaces and activeDirectory.
	`{"id":"11","activeDirectory":{"userPrincipalName":"u@x","computerDistinguishedName":"CN=a"},"networkInterfaces":[{"name":"eth0","inet":["10.0.0.3"],"gatewayIp":"10.0.0.1"},{"physical":"aa"}]}`,
	`{"id":"12","activeDirectory":{"lastUserDistinguishedName":"CN=b"},"networkInterfaces":[{"id":"n1"},{}]}`,
}

// FuzzDecodePage feeds arbitrary bodies to the page decoder the client runs
// for every page, with each endpoint's models: nothing may panic, every
// record keeps its bytes, and every object decodes exactly as the
// encoding/json decoder it replaced (reference_test.go) decoded it.
func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"data":[` + string(fixture(f, "agent_demisto.json")) + `],"pagination":{"nextCursor":"abc=","totalItems":"1"}}`))
	f.Add(fixture(f, "activities_envelope_demisto.json"))
	f.Add([]byte(`{"data":[` + string(fixture(f, "threat_elastic.json")) + `],"pagination":{}}`))
	f.Add([]byte(`{"data":[{"id":1,"isActive":"True","networkInterfaces":{"x":1},"cpuCount":"4.0"}],"pagination":{}}`))
	f.Add([]byte(`{"data":[{"id":"1","networkInterfaces":[null,1,{"inet":["a",2,{}],"inet6":"x"}],"activeDirectory":"x"}],"pagination":{}}`))
	f.Add([]byte(`{"data":[{"threatInfo":[],"agentRealtimeInfo":"x"}],"pagination":{"nextCursor":null}}`))
	f.Add([]byte(`{"data":[{"id":"a\u00e9\"","isActive":" TRUE ","totalMemory":"1e3","id":"2"}, 5, null],"pagination":{}}`))
	f.Add([]byte(`<html><head><title>429 Too Many Requests</title></head></html>`))
	f.Add(pageOf(oddAgents...))
	f.Add([]byte(`{"data":[{"id":"1"},{"id"`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ep := range sentinelone.Endpoints {
			page, err := sentinelone.DecodePage(ep, body)
			if err == nil && !json.Valid(body) {
				t.Fatalf("%s: a body that is not JSON was accepted", ep)
			}
			if err != nil {
				if json.Valid(body) && envelopeOK(body) {
					t.Fatalf("%s: a valid page was refused: %v", ep, err)
				}
				continue
			}
			for i, r := range page.Records {
				checkRecord(t, ep, i, r)
			}
			checkReuse(t, ep, body, page)
		}
	})
}

// checkReuse decodes the body again as the pipeline does, one model reused
// for every record, and compares each record with its fresh decode.
func checkReuse(t *testing.T, ep sentinelone.Endpoint, body []byte, fresh *sentinelone.Page) {
	t.Helper()
	type seen struct {
		raw, model string
		odd        []string
	}
	reused, err := sentinelone.DecodePageWith(ep, body, func(r sentinelone.Record) any {
		s := seen{raw: string(r.Raw)}
		if r.Model != nil {
			b, _ := json.Marshal(r.Model)
			s.model, s.odd = string(b), r.Model.OddFields()
		}
		return s
	})
	if err != nil || len(reused.Records) != len(fresh.Records) {
		t.Fatalf("%s: decoded again with a reused model: %v, %d records of %d", ep, err, len(reused.Records), len(fresh.Records))
	}
	for i, r := range reused.Records {
		got, want := r.Value.(seen), seen{raw: string(fresh.Records[i].Raw)}
		if m := fresh.Records[i].Model; m != nil {
			b, _ := json.Marshal(m)
			want.model, want.odd = string(b), m.OddFields()
		}
		if got.raw != want.raw || got.model != want.model || !slices.Equal(got.odd, want.odd) {
			t.Fatalf("%s record %d decodes differently into a reused model:\ngot  %+v\nwant %+v", ep, i, got, want)
		}
	}
}

// TestDecoderMatchesReference: real payloads, the emulator's fleet with and
// without odd types, and every golden agent decode as encoding/json did.
func TestDecoderMatchesReference(t *testing.T) {
	bodies := map[sentinelone.Endpoint][][]byte{
		sentinelone.Agents:     {wrap(fixture(t, "agent_demisto.json")), wrap(fixture(t, "agent_elastic.json"))},
		sentinelone.Activities: {fixture(t, "activities_envelope_demisto.json")},
		sentinelone.Threats:    {wrap(fixture(t, "threat_elastic.json"))},
	}
	golden, _ := filepath.Glob("../transform/testdata/*/agent.json")
	for _, g := range golden {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		bodies[sentinelone.Agents] = append(bodies[sentinelone.Agents], wrap(b))
	}
	emu, err := emulator.New(emulator.Config{Agents: 300, Tokens: []emulator.Token{{Value: token}}, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	bodies[sentinelone.Agents] = append(bodies[sentinelone.Agents], pageBody(t, emu, "agents?limit=1000"))
	emu.SetFault("agents", emulator.Fault{OddTypes: 1})
	bodies[sentinelone.Agents] = append(bodies[sentinelone.Agents], pageBody(t, emu, "agents?limit=1000"))
	bodies[sentinelone.Activities] = append(bodies[sentinelone.Activities], pageBody(t, emu, "activities?limit=1000"))
	bodies[sentinelone.Threats] = append(bodies[sentinelone.Threats], pageBody(t, emu, "threats?limit=1000"))
	bodies[sentinelone.Agents] = append(bodies[sentinelone.Agents], pageOf(oddAgents...))
	bodies[sentinelone.Threats] = append(bodies[sentinelone.Threats], pageOf(`{"id":"t","threatInfo":"x","agentRealtimeInfo":[]}`,
		`{"id":"u","threatInfo":{"updatedAt":5,"threatName":{}},"agentRealtimeInfo":{"agentId":7}}`))
	bodies[sentinelone.Activities] = append(bodies[sentinelone.Activities], pageOf(`{"id":"a","activityType":"27","data":{"x":[1]},"createdAt":7}`))
	n := 0
	for ep, list := range bodies {
		for _, body := range list {
			page, err := sentinelone.DecodePage(ep, body)
			if err == nil && !json.Valid(body) {
				t.Fatalf("%s: a body that is not JSON was accepted", ep)
			}
			if err != nil {
				t.Fatalf("%s: %v", ep, err)
			}
			for i, r := range page.Records {
				checkRecord(t, ep, i, r)
				n++
			}
			checkReuse(t, ep, body, page)
		}
	}
	if n < 600 {
		t.Fatalf("only %d records compared", n)
	}
}

// checkRecord compares a decoded record with the reference decoder.
func checkRecord(t *testing.T, ep sentinelone.Endpoint, i int, r sentinelone.Record) {
	t.Helper()
	if !json.Valid(r.Raw) {
		t.Fatalf("%s record %d: its bytes are not one JSON value: %q", ep, i, r.Raw)
	}
	isObject := bytes.HasPrefix(r.Raw, []byte("{"))
	if isObject != (r.Model != nil) {
		t.Fatalf("%s record %d: object %v, model %T", ep, i, isObject, r.Model)
	}
	if r.Model == nil {
		return
	}
	ref := referenceModel(ep)
	if ref == nil {
		return // a stream newer than the encoding/json models: the reuse check still holds
	}
	if err := json.Unmarshal(r.Raw, ref); err != nil {
		t.Fatalf("%s record %d: the reference refuses it: %v", ep, i, err)
	}
	if foldedKey(r.Raw, ref) {
		return // encoding/json also matched keys case-insensitively; the new decoder does not
	}
	got, _ := json.Marshal(r.Model)
	want, _ := json.Marshal(ref)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s record %d decodes differently from encoding/json:\ninput %s\ngot  %s\nwant %s", ep, i, r.Raw, got, want)
	}
	odd, refOdd := r.Model.OddFields(), sentinelone.OddFields(ref)
	for _, name := range refOdd {
		if !slices.Contains(odd, name) {
			t.Fatalf("%s record %d: odd fields %v miss %q (reference %v)", ep, i, odd, name, refOdd)
		}
	}
	if ep == sentinelone.Agents && !slices.Equal(odd, refOdd) {
		t.Fatalf("agent %d: odd fields %v, reference %v", i, odd, refOdd)
	}
}

// referenceModel is the encoding/json model of ep's records, nil for the
// streams that came after it.
func referenceModel(ep sentinelone.Endpoint) any {
	switch ep {
	case sentinelone.Agents:
		return new(refAgent)
	case sentinelone.Activities:
		return new(refActivity)
	case sentinelone.Threats:
		return new(refThreat)
	}
	return nil
}

// foldedKey reports whether raw has a key that is not a field name of the
// model but equals one case-insensitively.
func foldedKey(raw []byte, model any) bool {
	names := jsonNames(reflect.TypeOf(model).Elem(), nil)
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return false
		}
		key, ok := tok.(string)
		if !ok || slices.Contains(names, key) {
			continue
		}
		for _, n := range names {
			if strings.EqualFold(key, n) {
				return true
			}
		}
	}
}

// jsonNames lists the JSON names of t's fields, nested types included.
func jsonNames(t reflect.Type, out []string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
		out = jsonNames(f.Type, out)
	}
	return out
}

// envelopeOK reports whether body is an object with a data list (or null)
// and a pagination object, as encoding/json reads it.
func envelopeOK(body []byte) bool {
	var env struct {
		Data       []json.RawMessage `json:"data"`
		Pagination *struct {
			NextCursor *string `json:"nextCursor"`
		} `json:"pagination"`
	}
	if json.Unmarshal(body, &env) != nil || env.Pagination == nil {
		return false
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(body, &keys) != nil {
		return false
	}
	for k := range keys {
		if k != "data" && k != "pagination" && (strings.EqualFold(k, "data") || strings.EqualFold(k, "pagination")) {
			return false
		}
	}
	return true
}

func pageOf(records ...string) []byte {
	return []byte(`{"data":[` + strings.Join(records, ",") + `],"pagination":{"nextCursor":null}}`)
}

func wrap(record []byte) []byte {
	return []byte(`{"data":[` + string(record) + `],"pagination":{"nextCursor":null}}`)
}

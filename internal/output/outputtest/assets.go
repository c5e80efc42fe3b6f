package outputtest

import (
	"bytes"
	_ "embed"
	"fmt"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// assetSchema is one item of a Sekoia.io asset connector push as Sekoia's
// SDK sends it (../shared/reference/sekoia, derived from the SDK's models).
//
//go:embed asset-connector-device.schema.json
var assetSchema []byte

// AssetItems returns a check of the items of an asset connector push: each
// validates against the SDK's schema and holds no null anywhere (the SDK
// posts without them).
func AssetItems(t testing.TB) func(t testing.TB, item []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(assetSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("asset.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("asset.json")
	if err != nil {
		t.Fatal(err)
	}
	return func(t testing.TB, item []byte) {
		t.Helper()
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(item))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Fatalf("item does not validate against the SDK's schema: %v\n%s", err, item)
		}
		if path := nullAt(inst, ""); path != "" {
			t.Fatalf("item has a null at %s: %s", path, item)
		}
	}
}

// nullAt is the path of the first null in v, or "".
func nullAt(v any, path string) string {
	switch v := v.(type) {
	case nil:
		return path
	case map[string]any:
		for k, x := range v {
			if p := nullAt(x, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, x := range v {
			if p := nullAt(x, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

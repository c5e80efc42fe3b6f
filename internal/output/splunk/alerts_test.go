package splunk

import (
	"bytes"
	"net/http"
	"testing"

	"s1collector/internal/output/outputtest"
)

// TestAlertsSourcetype: unified alerts reach HEC as
// sentinelone:channel:alerts, as the SentinelOne app names its channels.
func TestAlertsSourcetype(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	o, err := New("hec", Config{URL: peer.URL, Token: "T"}, http.DefaultClient, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := outputtest.Deliver(t.Context(), o, outputtest.Batch("alerts", 0, 2, 10)); err != nil {
		t.Fatal(err)
	}
	if body := peer.Accepted()[0].Body; !bytes.Contains(body, []byte(`"sourcetype":"sentinelone:channel:alerts"`)) {
		t.Fatalf("body %s", body)
	}
}

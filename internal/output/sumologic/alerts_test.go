package sumologic

import (
	"net/http"
	"strings"
	"testing"

	"s1collector/internal/output/outputtest"
)

// TestAlertsGoToCloudSIEMAsAlerts: unified alerts carry _siemEventID
// "alerts" (STAR alerts "cloud_detection_alerts") in X-Sumo-Fields, where
// Cloud SIEM reads it.
func TestAlertsGoToCloudSIEMAsAlerts(t *testing.T) {
	for _, stream := range []string{"alerts", "cloud_detection_alerts"} {
		peer := outputtest.NewPeer(t, nil)
		o, _ := New("sumo", Config{URL: peer.URL + "/receiver/v1/http/SECRETCODE"}, http.DefaultClient)
		b := outputtest.Batch(stream, 0, 3, 10)
		b.Info.SiemForward = true
		if err := outputtest.Deliver(t.Context(), o, b); err != nil {
			t.Fatal(err)
		}
		r := peer.Accepted()[0]
		if f := r.Header.Get("X-Sumo-Fields"); !strings.Contains(f, "_siemEventID="+stream+",") {
			t.Errorf("%s: X-Sumo-Fields %q", stream, f)
		}
		siemEventIDsMatch(t, r) // and in each event
	}
}

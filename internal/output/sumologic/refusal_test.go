package sumologic

import (
	"net/http"
	"strings"
	"testing"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
	"s1collector/internal/retry"
)

// TestRefusalsNameTheSetting: a source URL Sumo refuses (regenerated,
// deleted) fails test and deliveries for good, naming the setting.
func TestRefusalsNameTheSetting(t *testing.T) {
	for _, status := range []int{401, 403, 404} {
		peer := outputtest.NewPeer(t, func(int) int { return status })
		o, _ := New("sumo", Config{URL: peer.URL + "/receiver/v1/http/SECRETCODE"}, http.DefaultClient)
		for what, err := range map[string]error{"check": o.Check(t.Context()), "deliver": o.Deliver(t.Context(), outputtest.Batch("threats", 0, 3, 10))} {
			if !retry.IsPermanent(err) || !strings.Contains(err.Error(), `check sumologic.url of output "sumo"`) ||
				delivery.FixOf(err) == "" || strings.Contains(err.Error(), "SECRETCODE") {
				t.Errorf("%s answered %d: %v", what, status, err)
			}
		}
	}
}

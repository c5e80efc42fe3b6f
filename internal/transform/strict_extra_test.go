package transform

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// TestInterfaceType: names are recognised whatever their case, long or
// not ASCII; anything else has no type.
func TestInterfaceType(t *testing.T) {
	for _, tt := range []struct {
		name string
		id   int
		ok   bool
	}{
		{"Ethernet", ocsf.InterfaceWired, true},
		{"ETH0", ocsf.InterfaceWired, true},
		{"Ethernet 2 (Intel(R) Ethernet Connection I219-LM)", ocsf.InterfaceWired, true},
		{"Wi-Fi", ocsf.InterfaceWireless, true},
		{"WLAN0", ocsf.InterfaceWireless, true},
		{"Intel(R) Wireless-AC 9560 160MHz adapter for the laptop", ocsf.InterfaceWireless, true},
		{"Беспроводная сеть WiFi", ocsf.InterfaceWireless, true},
		{"VPN", ocsf.InterfaceTunnel, true},
		{"utun3", ocsf.InterfaceTunnel, true},
		{"WG0", ocsf.InterfaceTunnel, true},
		{"Ethérnet", ocsf.InterfaceWired, true}, // prefix "eth" in lower case
		{"docker0", 0, false},
		{"", 0, false},
		{"Сеть", 0, false},
	} {
		if id, ok := interfaceType(tt.name); id != tt.id || ok != tt.ok {
			t.Errorf("%q: got %d %v, want %d %v", tt.name, id, ok, tt.id, tt.ok)
		}
	}
}

// TestManyInterfacesKeepEachOnce: a device reporting hundreds of
// interfaces and addresses, many repeated, gets each entry once, in the
// order first seen — past the point where the mapping stops scanning its
// entries and keeps a set.
func TestManyInterfacesKeepEachOnce(t *testing.T) {
	var nics, ips []string
	var want []string
	for i := range 300 {
		n := i % 150 // each interface and address twice, the second time later
		nics = append(nics, fmt.Sprintf(`{"id":"%d","name":"lo%d","physical":"00:00:00:00:%02x:%02x","inet":["10.0.%d.%d"]}`, n, n, n/256, n%256, n/256, n%256))
		ips = append(ips, fmt.Sprintf(`"10.1.%d.%d"`, n/256, n%256))
		if i < 150 {
			want = append(want, fmt.Sprintf("10.0.%d.%d", n/256, n%256))
		}
	}
	for _, tc := range []struct{ name, rec, prefix string }{
		{"interfaces", `{"id":"1","networkInterfaces":[` + strings.Join(nics, ",") + `]}`, "10.0."},
		{"address lists", `{"id":"1","macAddresses":["00:00:00:00:00:01"],"ipv4Addresses":[` + strings.Join(ips, ",") + `]}`, "10.1."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a sentinelone.Agent
			if err := sentinelone.Unmarshal([]byte(tc.rec), &a); err != nil {
				t.Fatal(err)
			}
			ev, _, err := Strict(&a, time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range ev.Device.NetworkInterfaces {
				got = append(got, n.IP)
			}
			wantHere := make([]string, len(want))
			for i, w := range want {
				wantHere[i] = tc.prefix + strings.TrimPrefix(w, "10.0.")
			}
			if !slices.Equal(got, wantHere) {
				t.Fatalf("%d entries, want %d, each once in the order first seen:\n got %v", len(got), len(wantHere), got)
			}
		})
	}
}

// TestAddressListsOfEverySize: whatever the number of a device's IPv4,
// IPv6 and MAC addresses — filling the mapping's room for lists exactly,
// outgrowing it, or not — each profile lists them all, in order. (A
// device whose IPv4 addresses filled that room exactly crashed the mapping
// of the next list.)
func TestAddressListsOfEverySize(t *testing.T) {
	for n4 := range 15 {
		for n6 := range 4 {
			for nm := range 3 {
				var nics []string
				var want4, want6, wantMAC []string
				for i := range max(n4, n6, nm) {
					var inet, inet6 []string
					if i < n4 {
						inet = append(inet, fmt.Sprintf(`"10.0.0.%d"`, i))
						want4 = append(want4, fmt.Sprintf("10.0.0.%d", i))
					}
					if i < n6 {
						inet6 = append(inet6, fmt.Sprintf(`"fe80::%d"`, i))
						want6 = append(want6, fmt.Sprintf("fe80::%d", i))
					}
					mac := ""
					if i < nm {
						mac = fmt.Sprintf("00:00:00:00:00:%02x", i)
						wantMAC = append(wantMAC, mac)
					}
					nics = append(nics, fmt.Sprintf(`{"name":"lo%d","physical":%q,"inet":[%s],"inet6":[%s]}`, i, mac, strings.Join(inet, ","), strings.Join(inet6, ",")))
				}
				rec := `{"id":"1","networkInterfaces":[` + strings.Join(nics, ",") + `]}`
				var a sentinelone.Agent
				if err := sentinelone.Unmarshal([]byte(rec), &a); err != nil {
					t.Fatal(err)
				}
				for _, p := range []Profile{ProfileSekoia, ProfileOCSF} {
					line, _, err := p.AppendMapped(nil, &a, time.Unix(0, 0), false)
					if err != nil {
						t.Fatalf("%d/%d/%d %s: %v", n4, n6, nm, p, err)
					}
					if p != ProfileSekoia {
						continue
					}
					var ev struct {
						Device struct {
							IPv4 []string `json:"ipv4_addresses"`
							IPv6 []string `json:"ipv6_addresses"`
							MACs []string `json:"mac_addresses"`
						} `json:"device"`
					}
					if err := json.Unmarshal(line, &ev); err != nil {
						t.Fatal(err)
					}
					d := ev.Device
					if !slices.Equal(d.IPv4, orEmpty(want4)) || !slices.Equal(d.IPv6, orEmpty(want6)) || !slices.Equal(d.MACs, orEmpty(wantMAC)) {
						t.Fatalf("%d IPv4, %d IPv6, %d MACs: got %v %v %v", n4, n6, nm, d.IPv4, d.IPv6, d.MACs)
					}
				}
			}
		}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

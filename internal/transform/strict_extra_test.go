package transform

import (
	"testing"

	"s1collector/internal/ocsf"
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

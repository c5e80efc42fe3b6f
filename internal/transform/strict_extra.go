package transform

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// strictInterfaces gives one network_interfaces entry per (name, mac, ip)
// of the real agent's interfaces, in order, without duplicates. An
// interface without addresses gives one entry for its MAC. For the seed
// shape (flat address lists) each address gets an entry, with the MAC when
// there is exactly one. The entries and type ids go into p's room while it
// lasts.
func strictInterfaces(f *facts, p *strictParts) []ocsf.NetworkInterface {
	out := p.ifaces[:0]
	var d distinct[ocsf.NetworkInterface]
	add := func(n ocsf.NetworkInterface) {
		if n.IP != "" || n.MAC != "" || n.Name != "" {
			out = d.add(out, n)
		}
	}
	if f.a.IPv4Addresses.Present || f.a.IPv6Addresses.Present || f.a.MACAddresses.Present {
		mac := ""
		if len(f.macs) == 1 {
			mac = validMAC(f.macs[0])
		}
		for _, list := range [2][]string{f.ipv4, f.ipv6} {
			for _, ip := range list {
				if validIP(ip) {
					add(ocsf.NetworkInterface{IP: ip, MAC: mac})
				}
			}
		}
		for _, m := range f.macs {
			if len(f.macs) > 1 {
				add(ocsf.NetworkInterface{MAC: validMAC(m)})
			}
		}
		return nilIfEmpty(out)
	}
	for i := range f.a.NetworkInterfaces.Values {
		nic := &f.a.NetworkInterfaces.Values[i]
		base := ocsf.NetworkInterface{Name: nic.Name.Value, MAC: validMAC(nic.Physical.Value), UID: nic.ID.Value}
		if id, ok := interfaceType(nic.Name.Value); ok {
			// One id per interface, at an address of its own: entries of
			// different interfaces are never equal, as when each had its
			// own allocation.
			var typeID *int
			if i < len(p.ifaceTypes) {
				typeID = &p.ifaceTypes[i]
			} else {
				typeID = new(int)
			}
			*typeID = id
			base.TypeID, base.Type = typeID, ocsf.InterfaceTypeCaption(id)
		}
		added := false
		for _, list := range [2][]string{nic.Inet.Values, nic.Inet6.Values} {
			for _, ip := range list {
				if validIP(ip) {
					n := base
					n.IP = ip
					add(n)
					added = true
				}
			}
		}
		if !added {
			add(base)
		}
	}
	return nilIfEmpty(out)
}

// nilIfEmpty is list, or nil when it has no entries.
func nilIfEmpty[T any](list []T) []T {
	if len(list) == 0 {
		return nil
	}
	return list
}

func validMAC(m string) string {
	if isMAC(m) {
		return m
	}
	return ""
}

// interfaceType recognises the interface names agents report; anything else
// has no type rather than a guessed one.
func interfaceType(name string) (int, bool) {
	var buf [32]byte
	n := lowerASCII(buf[:0], name)
	switch {
	case bytes.Contains(n, []byte("wi-fi")) || bytes.Contains(n, []byte("wifi")) || bytes.HasPrefix(n, []byte("wlan")) ||
		bytes.Contains(n, []byte("wireless")):
		return ocsf.InterfaceWireless, true
	case bytes.Contains(n, []byte("vpn")) || bytes.HasPrefix(n, []byte("tun")) || bytes.HasPrefix(n, []byte("utun")) ||
		bytes.HasPrefix(n, []byte("wg")):
		return ocsf.InterfaceTunnel, true
	case bytes.HasPrefix(n, []byte("ethernet")) || bytes.HasPrefix(n, []byte("eth")):
		return ocsf.InterfaceWired, true
	}
	return 0, false
}

// lowerASCII appends s in lower case to dst: ASCII letters by hand, in
// dst's room (interface names are short), anything else as strings.ToLower
// spells it.
func lowerASCII(dst []byte, s string) []byte {
	start := len(dst)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return append(dst[:start], strings.ToLower(s)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// strictEnrichment carries the agent's security state, which OCSF's device
// has no attributes for, on the device.uid attribute; st holds it.
func strictEnrichment(f *facts, uid string, st *agentState) (ocsf.Enrichment, bool) {
	// The pointers go in as they are: they write as their values and need
	// no allocation of their own (the facts hold what they point at).
	*st = agentState{AgentStatus: f.agentStatus, IsEnabled: f.isEnabled, IsEncrypted: f.encrypted, IsFirewallEnabled: f.firewall,
		IsOnline: f.isOnline, IsTamperProtected: f.tamper, ThreatCount: f.threatCount, ThreatLevel: f.threatLevel}
	if f.lastIn != nil {
		st.LastIncidentTime = f.keepInt(f.lastIn.UnixMilli())
	}
	if uid == "" || st.isZero() {
		return ocsf.Enrichment{}, false
	}
	return ocsf.Enrichment{Name: "device.uid", Value: uid, Type: "sentinelone.agent_state", Provider: "SentinelOne", Data: st}, true
}

// strictUnmapped keeps the source values that have no OCSF attribute, so
// nothing the console said is lost; u holds them. It is nil when there are
// none.
func strictUnmapped(f *facts, u *agentUnmapped) ocsf.Object {
	a := f.a
	for _, kv := range [...]struct {
		dst *string
		v   sentinelone.String
	}{
		{&u.OSType, a.OSType}, {&u.MachineType, a.MachineType}, {&u.NetworkStatus, a.NetworkStatus}, {&u.OSArch, a.OSArch},
		{&u.ExternalIP, a.ExternalIP}, {&u.LastIPToMgmt, a.LastIPToMgmt}, {&u.MitigationMode, a.MitigationMode},
		{&u.DeviceType, a.Type}, {&u.RegisteredAt, a.RegisteredAt},
	} {
		if kv.v.Set && kv.v.Value != "" {
			*kv.dst = kv.v.Value
			u.n++
		}
	}
	for i, kv := range [...]struct {
		dst **bool
		v   sentinelone.Bool
	}{
		{&u.IsDecommissioned, a.IsDecommissioned}, {&u.IsUninstalled, a.IsUninstalled}, {&u.IsPendingUninstall, a.IsPendingUninstall},
		{&u.Infected, a.Infected}, {&u.IsUpToDate, a.IsUpToDate},
	} {
		if kv.v.Set {
			u.flags[i] = kv.v.Value
			*kv.dst = &u.flags[i]
			u.n++
		}
	}
	keepInvalidAddresses(f, u)
	if u.n == 0 {
		return nil
	}
	return u
}

// keepInvalidAddresses reports the addresses OCSF cannot carry (an IP
// such as "10.0.0.300", a MAC such as "00:11:22") and keeps them in u:
// the invalid IPs, and every MAC, in the console's order, when one is
// invalid.
func keepInvalidAddresses(f *facts, u *agentUnmapped) {
	for _, list := range [2][]string{f.ipv4, f.ipv6} {
		for _, ip := range list {
			if !validIP(ip) {
				u.InvalidIPAddresses = append(u.InvalidIPAddresses, ip)
				f.problems = append(f.problems, fmt.Sprintf("ip address %q is not an IP address; kept in unmapped.invalidIpAddresses", ip))
			}
		}
	}
	if len(u.InvalidIPAddresses) > 0 {
		u.n++
	}
	for _, m := range f.macs {
		if validMAC(m) == "" {
			if u.MACAddresses == nil {
				u.MACAddresses = f.macs
				u.n++
			}
			f.problems = append(f.problems, fmt.Sprintf("mac address %q is not a MAC address; kept in unmapped.macAddresses", m))
		}
	}
}

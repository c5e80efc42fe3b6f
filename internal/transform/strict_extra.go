package transform

import (
	"slices"
	"strings"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// strictInterfaces gives one network_interfaces entry per (name, mac, ip)
// of the real agent's interfaces, in order, without duplicates. An
// interface without addresses gives one entry for its MAC. For the seed
// shape (flat address lists) each address gets an entry, with the MAC when
// there is exactly one.
func strictInterfaces(f *facts) []ocsf.NetworkInterface {
	var out []ocsf.NetworkInterface
	add := func(n ocsf.NetworkInterface) {
		if n.IP == "" && n.MAC == "" && n.Name == "" || slices.Contains(out, n) {
			return
		}
		out = append(out, n)
	}
	if f.a.IPv4Addresses.Present || f.a.IPv6Addresses.Present || f.a.MACAddresses.Present {
		mac := ""
		if len(f.macs) == 1 {
			mac = validMAC(f.macs[0])
		}
		for _, ip := range append(append([]string{}, f.ipv4...), f.ipv6...) {
			if validIP(ip) {
				add(ocsf.NetworkInterface{IP: ip, MAC: mac})
			}
		}
		for _, m := range f.macs {
			if len(f.macs) > 1 {
				add(ocsf.NetworkInterface{MAC: validMAC(m)})
			}
		}
		return out
	}
	for _, nic := range f.a.NetworkInterfaces.Values {
		base := ocsf.NetworkInterface{Name: nic.Name.Value, MAC: validMAC(nic.Physical.Value), UID: nic.ID.Value}
		if id, ok := interfaceType(nic.Name.Value); ok {
			base.TypeID, base.Type = &id, ocsf.InterfaceTypeCaption(id)
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
	return out
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
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "wi-fi") || strings.Contains(n, "wifi") || strings.HasPrefix(n, "wlan") || strings.Contains(n, "wireless"):
		return ocsf.InterfaceWireless, true
	case strings.Contains(n, "vpn") || strings.HasPrefix(n, "tun") || strings.HasPrefix(n, "utun") || strings.HasPrefix(n, "wg"):
		return ocsf.InterfaceTunnel, true
	case strings.HasPrefix(n, "ethernet") || strings.HasPrefix(n, "eth"):
		return ocsf.InterfaceWired, true
	}
	return 0, false
}

// strictEnrichment carries the agent's security state, which OCSF's device
// has no attributes for, on the device.uid attribute.
func strictEnrichment(f *facts, uid string) (ocsf.Enrichment, bool) {
	data := make(map[string]any, 10)
	put := func(k string, v any) {
		// The pointers go in as they are: they write as their values and
		// need no allocation of their own (the facts hold what they point at).
		switch p := v.(type) {
		case *bool:
			if p != nil {
				data[k] = p
			}
		case *string:
			if p != nil {
				data[k] = p
			}
		case *int64:
			if p != nil {
				data[k] = p
			}
		}
	}
	put("is_enabled", f.isEnabled)
	put("is_online", f.isOnline)
	put("agent_status", f.agentStatus)
	put("threat_level", f.threatLevel)
	put("threat_count", f.threatCount)
	put("is_encrypted", f.encrypted)
	put("is_firewall_enabled", f.firewall)
	put("is_tamper_protected", f.tamper)
	if f.lastIn != nil {
		data["last_incident_time"] = f.keepInt(f.lastIn.UnixMilli())
	}
	if uid == "" || len(data) == 0 {
		return ocsf.Enrichment{}, false
	}
	return ocsf.Enrichment{Name: "device.uid", Value: uid, Type: "sentinelone.agent_state", Provider: "SentinelOne", Data: data}, true
}

// strictUnmapped keeps the source values that have no OCSF attribute, so
// nothing the console said is lost.
func strictUnmapped(f *facts) map[string]any {
	a := f.a
	u := make(map[string]any, 16)
	for _, kv := range [...]struct {
		k string
		v sentinelone.String
	}{
		{"osType", a.OSType}, {"machineType", a.MachineType}, {"networkStatus", a.NetworkStatus}, {"osArch", a.OSArch},
		{"externalIp", a.ExternalIP}, {"lastIpToMgmt", a.LastIPToMgmt}, {"mitigationMode", a.MitigationMode},
		{"deviceType", a.Type}, {"registeredAt", a.RegisteredAt},
	} {
		if kv.v.Set && kv.v.Value != "" {
			u[kv.k] = f.keep(kv.v.Value) // a *string writes as its string; it needs no allocation of its own
		}
	}
	for _, kv := range [...]struct {
		k string
		v sentinelone.Bool
	}{
		{"isDecommissioned", a.IsDecommissioned}, {"isUninstalled", a.IsUninstalled}, {"isPendingUninstall", a.IsPendingUninstall},
		{"infected", a.Infected}, {"isUpToDate", a.IsUpToDate},
	} {
		if kv.v.Set {
			u[kv.k] = kv.v.Value
		}
	}
	for _, m := range f.macs {
		if validMAC(m) == "" {
			u["macAddresses"] = f.macs
			break
		}
	}
	if len(u) == 0 {
		return nil
	}
	return u
}

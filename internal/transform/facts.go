// Package transform turns SentinelOne records into the events s1collector
// delivers: agents into OCSF Device Inventory Info, in the Sekoia.io profile
// (the seed's mapping) or the strict OCSF 1.6.0 profile. Functions here are
// pure: same agent in, same event out.
package transform

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"s1collector/internal/sentinelone"
)

// facts is one agent resolved field by field: a seed-named field that is
// present wins, otherwise the real v2.1 field is used, with the derivations
// of the mapping contract. Both profiles are built from it.
type facts struct {
	a *sentinelone.Agent

	uid, name, hostname, domain        *string
	osType, osVersion, osBuild         *string
	serial, manufacturer, model        *string
	cpuCount, coreCount, memoryMB      *int64
	ipv4, ipv6, macs                   []string
	deviceType, machineType            *string
	isEnabled, isOnline                *bool
	agentStatus, agentVersion          *string
	threatLevel                        *string
	threatCount                        *int64
	encrypted, firewall, tamper        *bool
	userUID, userName, userFullName    *string
	created, updated, lastSeen, lastIn *time.Time

	// problems lists fields that were present but unreadable; their values
	// are dropped (null), the device is kept.
	problems []string
}

// ErrNoID is returned for an agent without an id: a device nobody can
// track is not delivered.
var ErrNoID = errors.New("id: missing or empty; the device cannot be identified")

func resolve(a *sentinelone.Agent) (*facts, error) {
	if !a.ID.Set || strings.TrimSpace(a.ID.Value) == "" {
		return nil, ErrNoID
	}
	f := &facts{a: a}
	for _, name := range a.OddFields() {
		f.problems = append(f.problems, name+": value of an unexpected type, ignored")
	}
	f.uid = a.ID.Ptr()
	f.name = pick(a.Name, a.ComputerName)
	f.hostname = a.ComputerName.Ptr()
	f.domain = a.Domain.Ptr()
	f.osType = a.OSType.Ptr()
	f.osVersion = pick(a.OSVersion, a.OSName)
	f.osBuild = a.OSRevision.Ptr()
	f.serial = a.SerialNumber.Ptr()
	f.manufacturer = a.Manufacturer.Ptr()
	if !a.Manufacturer.Set {
		f.manufacturer = vendorFromModel(a.ModelName)
	}
	f.model = a.ModelName.Ptr()
	f.cpuCount = pickInt(a.ProcessorCount, a.CPUCount)
	f.coreCount = a.CoreCount.Ptr()
	f.memoryMB = pickInt(a.MemorySize, a.TotalMemory)
	f.resolveNetwork()
	f.resolveState()
	f.resolveUser()
	f.created = f.timeOf("createdDate", a.CreatedDate, "createdAt", a.CreatedAt)
	f.updated = f.timeOf("updatedDate", a.UpdatedDate, "updatedAt", a.UpdatedAt)
	f.lastSeen = f.timeOf("lastActiveDate", a.LastActiveDate, "", sentinelone.String{})
	f.lastIn = f.timeOf("lastIncidentDate", a.LastIncidentDate, "", sentinelone.String{})
	return f, nil
}

func (f *facts) resolveNetwork() {
	a := f.a
	if a.IPv4Addresses.Present {
		f.ipv4 = a.IPv4Addresses.Values
	} else {
		f.ipv4 = flatten(a.NetworkInterfaces.Values, func(n sentinelone.NetworkInterface) []string { return n.Inet.Values })
	}
	if a.IPv6Addresses.Present {
		f.ipv6 = a.IPv6Addresses.Values
	} else {
		f.ipv6 = flatten(a.NetworkInterfaces.Values, func(n sentinelone.NetworkInterface) []string { return n.Inet6.Values })
	}
	if a.MACAddresses.Present {
		f.macs = a.MACAddresses.Values
	} else {
		f.macs = flatten(a.NetworkInterfaces.Values, func(n sentinelone.NetworkInterface) []string { return []string{n.Physical.Value} })
	}
}

func (f *facts) resolveState() {
	a := f.a
	f.machineType = a.MachineType.Ptr()
	f.deviceType = a.Type.Ptr()
	if !a.Type.Set {
		f.deviceType = deviceTypeFromMachine(a.MachineType)
	}
	f.isEnabled = a.IsActive.Ptr()
	f.isOnline = a.IsOnline.Ptr()
	if !a.IsOnline.Set && a.NetworkStatus.Set {
		online := a.NetworkStatus.Value == "connected"
		f.isOnline = &online
	}
	f.agentStatus = a.AgentStatus.Ptr()
	if !a.AgentStatus.Set {
		f.agentStatus = agentStatus(a)
	}
	f.agentVersion = a.AgentVersion.Ptr()
	f.threatLevel = a.ThreatLevel.Ptr()
	if !a.ThreatLevel.Set {
		f.threatLevel = threatLevel(a)
	}
	f.threatCount = pickInt(a.ThreatCount, a.ActiveThreats)
	f.encrypted = pickBool(a.EncryptionEnabled, a.EncryptedApplications)
	f.firewall = pickBool(a.IsFirewallEnabled, a.FirewallEnabled)
	f.tamper = a.IsTamperProtectionEnabled.Ptr()
}

func (f *facts) resolveUser() {
	a := f.a
	f.userUID = a.UserID.Ptr()
	f.userName = a.UserName.NonEmpty()
	if !a.UserName.Set {
		f.userName = a.LastLoggedInUserName.NonEmpty()
	}
	f.userFullName = a.UserFullName.Ptr()
}

// timeOf parses the seed field when present, else the real one. An
// unparsable value is a problem and gives nil.
func (f *facts) timeOf(seedName string, seed sentinelone.String, realName string, real sentinelone.String) *time.Time {
	name, v := seedName, seed
	if !seed.Set {
		name, v = realName, real
	}
	if !v.Set || v.Value == "" {
		return nil
	}
	t, err := sentinelone.ParseTime(v.Value)
	if err != nil {
		f.problems = append(f.problems, fmt.Sprintf("%s: %v, set to null", name, err))
		return nil
	}
	return &t
}

func pick(seed, real sentinelone.String) *string {
	if seed.Set {
		return seed.Ptr()
	}
	return real.Ptr()
}

func pickInt(seed, real sentinelone.Int) *int64 {
	if seed.Set {
		return seed.Ptr()
	}
	return real.Ptr()
}

func pickBool(seed, real sentinelone.Bool) *bool {
	if seed.Set {
		return seed.Ptr()
	}
	return real.Ptr()
}

// flatten collects the non-empty values of every interface, in order,
// without duplicates.
func flatten(nics []sentinelone.NetworkInterface, get func(sentinelone.NetworkInterface) []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, n := range nics {
		for _, v := range get(n) {
			if v = strings.TrimSpace(v); v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// vendorFromModel takes the part of modelName before the first " - ", as
// real consoles write "Amazon EC2 - t3.medium".
func vendorFromModel(model sentinelone.String) *string {
	if before, _, ok := strings.Cut(model.Value, " - "); ok && strings.TrimSpace(before) != "" {
		v := strings.TrimSpace(before)
		return &v
	}
	return nil
}

func deviceTypeFromMachine(mt sentinelone.String) *string {
	if !mt.Set || mt.Value == "" {
		return nil
	}
	v := mt.Value
	switch v {
	case "server":
	case "desktop", "laptop":
		v = "computer"
	}
	return &v
}

func agentStatus(a *sentinelone.Agent) *string {
	var s string
	switch {
	case a.IsUninstalled.Value:
		s = "uninstalled"
	case a.IsDecommissioned.Value:
		s = "decommissioned"
	case a.IsActive.Value:
		s = "active"
	default:
		s = "inactive"
	}
	return &s
}

func threatLevel(a *sentinelone.Agent) *string {
	var s string
	switch {
	case a.Infected.Set && a.Infected.Value:
		s = "bad"
	case a.ActiveThreats.Set && a.ActiveThreats.Value > 0:
		s = "suspicious"
	case a.Infected.Set && a.ActiveThreats.Set:
		s = "good"
	default:
		s = "unknown"
	}
	return &s
}

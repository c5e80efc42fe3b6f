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

	store
}

// ErrNoID is returned for an agent without an id: a device nobody can
// track is not delivered.
var ErrNoID = errors.New("id: missing or empty; the device cannot be identified")

func resolve(a *sentinelone.Agent) (*facts, error) {
	f := new(facts)
	if err := f.fill(a); err != nil {
		return nil, err
	}
	return f, nil
}

// fill resolves a into f, which must be zero. A caller that only reads
// the facts before returning keeps them on its stack: nothing of f
// escapes.
func (f *facts) fill(a *sentinelone.Agent) error {
	if !a.ID.Set || strings.TrimSpace(a.ID.Value) == "" {
		return ErrNoID
	}
	f.a = a
	for _, name := range a.OddFields() {
		f.problems = append(f.problems, name+": value of an unexpected type, ignored")
	}
	f.uid = f.str(a.ID)
	f.name = f.pick(a.Name, a.ComputerName)
	f.hostname = f.str(a.ComputerName)
	f.domain = f.str(a.Domain)
	f.osType = f.str(a.OSType)
	f.osVersion = f.pick(a.OSVersion, a.OSName)
	f.osBuild = f.str(a.OSRevision)
	f.serial = f.str(a.SerialNumber)
	f.manufacturer = f.str(a.Manufacturer)
	if v, ok := vendorFromModel(a.ModelName); ok && !a.Manufacturer.Set {
		f.manufacturer = f.keep(v)
	}
	f.model = f.str(a.ModelName)
	f.cpuCount = f.pickInt(a.ProcessorCount, a.CPUCount)
	f.coreCount = f.int(a.CoreCount)
	f.memoryMB = f.pickInt(a.MemorySize, a.TotalMemory)
	f.resolveNetwork()
	f.resolveState()
	f.resolveUser()
	f.created = f.timeOf("createdDate", a.CreatedDate, "createdAt", a.CreatedAt)
	f.updated = f.timeOf("updatedDate", a.UpdatedDate, "updatedAt", a.UpdatedAt)
	f.lastSeen = f.timeOf("lastActiveDate", a.LastActiveDate, "", sentinelone.String{})
	f.lastIn = f.timeOf("lastIncidentDate", a.LastIncidentDate, "", sentinelone.String{})
	return nil
}

func (f *facts) resolveNetwork() {
	a := f.a
	if a.IPv4Addresses.Present {
		f.ipv4 = a.IPv4Addresses.Values
	} else {
		f.ipv4 = f.flatten(func(n *sentinelone.NetworkInterface) []string { return n.Inet.Values })
	}
	if a.IPv6Addresses.Present {
		f.ipv6 = a.IPv6Addresses.Values
	} else {
		f.ipv6 = f.flatten(func(n *sentinelone.NetworkInterface) []string { return n.Inet6.Values })
	}
	if a.MACAddresses.Present {
		f.macs = a.MACAddresses.Values
	} else {
		f.macs = f.flatten(func(n *sentinelone.NetworkInterface) []string { return n.PhysicalList() })
	}
}

func (f *facts) resolveState() {
	a := f.a
	f.machineType = f.str(a.MachineType)
	f.deviceType = f.str(a.Type)
	if v, ok := deviceTypeFromMachine(a.MachineType); ok && !a.Type.Set {
		f.deviceType = f.keep(v)
	}
	f.isEnabled = f.bool(a.IsActive)
	f.isOnline = f.bool(a.IsOnline)
	if !a.IsOnline.Set && a.NetworkStatus.Set {
		f.isOnline = f.keepBool(a.NetworkStatus.Value == "connected")
	}
	f.agentStatus = f.str(a.AgentStatus)
	if !a.AgentStatus.Set {
		f.agentStatus = f.keep(agentStatus(a))
	}
	f.agentVersion = f.str(a.AgentVersion)
	f.threatLevel = f.str(a.ThreatLevel)
	if !a.ThreatLevel.Set {
		f.threatLevel = f.keep(threatLevel(a))
	}
	f.threatCount = f.pickInt(a.ThreatCount, a.ActiveThreats)
	f.encrypted = f.pickBool(a.EncryptionEnabled, a.EncryptedApplications)
	f.firewall = f.pickBool(a.IsFirewallEnabled, a.FirewallEnabled)
	f.tamper = f.bool(a.IsTamperProtectionEnabled)
}

func (f *facts) resolveUser() {
	a := f.a
	f.userUID = f.str(a.UserID)
	f.userName = f.nonEmpty(a.UserName)
	if !a.UserName.Set {
		f.userName = f.nonEmpty(a.LastLoggedInUserName)
	}
	f.userFullName = f.str(a.UserFullName)
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
	t, err := parseEventTime(v.Value)
	if errors.Is(err, errPlaceholderTime) {
		f.problems = append(f.problems, fmt.Sprintf("%s: %q %v, set to null", name, v.Value, err))
		return nil
	}
	if err != nil {
		f.problems = append(f.problems, fmt.Sprintf("%s: %v, set to null", name, err))
		return nil
	}
	return f.keepTime(t)
}

// flatten collects the non-empty values of every interface, in order,
// without duplicates, into the facts' own room for lists while it lasts.
func (f *facts) flatten(get func(*sentinelone.NetworkInterface) []string) []string {
	nics := f.a.NetworkInterfaces.Values
	out := f.lists[f.nl:f.nl:len(f.lists)] // never nil: an empty list is []
	var d distinct[string]
	for i := range nics {
		for _, v := range get(&nics[i]) {
			if v = strings.TrimSpace(v); v != "" {
				out = d.add(out, v)
			}
		}
	}
	if len(out) <= len(f.lists)-f.nl { // appends within the room's capacity stayed in it; past it, out was moved
		f.nl += len(out)
	}
	return out
}

// vendorFromModel takes the part of modelName before the first " - ", as
// real consoles write "Amazon EC2 - t3.medium".
func vendorFromModel(model sentinelone.String) (string, bool) {
	if before, _, ok := strings.Cut(model.Value, " - "); ok && strings.TrimSpace(before) != "" {
		return strings.TrimSpace(before), true
	}
	return "", false
}

func deviceTypeFromMachine(mt sentinelone.String) (string, bool) {
	if !mt.Set || mt.Value == "" {
		return "", false
	}
	if mt.Value == "desktop" || mt.Value == "laptop" {
		return "computer", true
	}
	return mt.Value, true
}

func agentStatus(a *sentinelone.Agent) string {
	switch {
	case a.IsUninstalled.Value:
		return "uninstalled"
	case a.IsDecommissioned.Value:
		return "decommissioned"
	case a.IsActive.Value:
		return "active"
	}
	return "inactive"
}

func threatLevel(a *sentinelone.Agent) string {
	switch {
	case a.Infected.Set && a.Infected.Value:
		return "bad"
	case a.ActiveThreats.Set && a.ActiveThreats.Value > 0:
		return "suspicious"
	case a.Infected.Set && a.ActiveThreats.Set:
		return "good"
	}
	return "unknown"
}

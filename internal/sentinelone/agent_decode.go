package sentinelone

import "github.com/go-json-experiment/json/jsontext"

// UnmarshalJSONFrom decodes an agent; a value that is not an object is
// skipped and reported as an error, null leaves it empty.
func (a *Agent) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return readModel(dec, a.decodeAt) }

// decodeAt reads the value at b[i] into a and returns the index after it.
func (a *Agent) decodeAt(b []byte, i int) (int, error) {
	st, nics, ad := a.state, a.NetworkInterfaces.spare, a.spareAD
	if nics == nil {
		nics = a.NetworkInterfaces.Values
	}
	*a = Agent{state: st, spareAD: ad}
	a.NetworkInterfaces.spare = nics[:0] // a reused agent reuses its list's memory, as encoding/json does
	return a.state.decode(b, i, a)
}

func (a *Agent) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "id":
		return a.ID.set(value, ar)
	case "uuid":
		return a.UUID.set(value, ar)
	case "computerName":
		return a.ComputerName.set(value, ar)
	case "domain":
		return a.Domain.set(value, ar)
	case "osType":
		return a.OSType.set(value, ar)
	case "osName":
		return a.OSName.set(value, ar)
	case "osRevision":
		return a.OSRevision.set(value, ar)
	case "osArch":
		return a.OSArch.set(value, ar)
	case "modelName":
		return a.ModelName.set(value, ar)
	case "serialNumber":
		return a.SerialNumber.set(value, ar)
	case "cpuCount":
		return a.CPUCount.set(value, ar)
	case "coreCount":
		return a.CoreCount.set(value, ar)
	case "totalMemory":
		return a.TotalMemory.set(value, ar)
	case "networkInterfaces":
		return a.NetworkInterfaces.set(value, ar)
	case "machineType":
		return a.MachineType.set(value, ar)
	case "isActive":
		return a.IsActive.set(value, ar)
	case "networkStatus":
		return a.NetworkStatus.set(value, ar)
	case "isUninstalled":
		return a.IsUninstalled.set(value, ar)
	case "isDecommissioned":
		return a.IsDecommissioned.set(value, ar)
	case "isPendingUninstall":
		return a.IsPendingUninstall.set(value, ar)
	case "isUpToDate":
		return a.IsUpToDate.set(value, ar)
	case "agentVersion":
		return a.AgentVersion.set(value, ar)
	case "infected":
		return a.Infected.set(value, ar)
	case "activeThreats":
		return a.ActiveThreats.set(value, ar)
	case "encryptedApplications":
		return a.EncryptedApplications.set(value, ar)
	case "firewallEnabled":
		return a.FirewallEnabled.set(value, ar)
	case "lastLoggedInUserName":
		return a.LastLoggedInUserName.set(value, ar)
	case "createdAt":
		return a.CreatedAt.set(value, ar)
	case "updatedAt":
		return a.UpdatedAt.set(value, ar)
	case "lastActiveDate":
		return a.LastActiveDate.set(value, ar)
	case "registeredAt":
		return a.RegisteredAt.set(value, ar)
	case "accountId":
		return a.AccountID.set(value, ar)
	case "accountName":
		return a.AccountName.set(value, ar)
	case "siteId":
		return a.SiteID.set(value, ar)
	case "siteName":
		return a.SiteName.set(value, ar)
	case "groupId":
		return a.GroupID.set(value, ar)
	case "groupName":
		return a.GroupName.set(value, ar)
	case "externalId":
		return a.ExternalID.set(value, ar)
	case "externalIp":
		return a.ExternalIP.set(value, ar)
	case "lastIpToMgmt":
		return a.LastIPToMgmt.set(value, ar)
	case "mitigationMode":
		return a.MitigationMode.set(value, ar)
	case "activeDirectory":
		a.setActiveDirectory(value, ar)
		return false
	case "name":
		return a.Name.set(value, ar)
	case "type":
		return a.Type.set(value, ar)
	case "osVersion":
		return a.OSVersion.set(value, ar)
	case "manufacturer":
		return a.Manufacturer.set(value, ar)
	case "processorCount":
		return a.ProcessorCount.set(value, ar)
	case "memorySize":
		return a.MemorySize.set(value, ar)
	case "ipv4Addresses":
		return a.IPv4Addresses.set(value, ar)
	case "ipv6Addresses":
		return a.IPv6Addresses.set(value, ar)
	case "macAddresses":
		return a.MACAddresses.set(value, ar)
	case "isOnline":
		return a.IsOnline.set(value, ar)
	case "agentStatus":
		return a.AgentStatus.set(value, ar)
	case "threatLevel":
		return a.ThreatLevel.set(value, ar)
	case "threatCount":
		return a.ThreatCount.set(value, ar)
	case "lastIncidentDate":
		return a.LastIncidentDate.set(value, ar)
	case "encryptionEnabled":
		return a.EncryptionEnabled.set(value, ar)
	case "isFirewallEnabled":
		return a.IsFirewallEnabled.set(value, ar)
	case "isTamperProtectionEnabled":
		return a.IsTamperProtectionEnabled.set(value, ar)
	case "userId":
		return a.UserID.set(value, ar)
	case "userName":
		return a.UserName.set(value, ar)
	case "userFullName":
		return a.UserFullName.set(value, ar)
	case "createdDate":
		return a.CreatedDate.set(value, ar)
	case "updatedDate":
		return a.UpdatedDate.set(value, ar)
	}
	return false
}

// setActiveDirectory keeps encoding/json's reading: null is nil, an
// object is read, any other value gives an empty object.
func (a *Agent) setActiveDirectory(value []byte, ar *arena) {
	a.ActiveDirectory = nil
	if value[0] == 'n' {
		return
	}
	if a.spareAD == nil {
		a.spareAD = new(AgentActiveDirectory)
	}
	a.ActiveDirectory, *a.spareAD = a.spareAD, AgentActiveDirectory{} // reused, as encoding/json reuses what a pointer points at
	_, _, _ = setObject(value, 0, a.ActiveDirectory, ar)              // not an object: left empty
}

// Key returns the agent's id and updatedAt, the time agents are listed by.
func (a *Agent) Key() (id, at String) { return a.ID, a.UpdatedAt }

// OddFields names the fields whose values were present but unreadable.
func (a *Agent) OddFields() []string { return a.state.oddFields(a) }

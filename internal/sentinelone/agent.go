package sentinelone

import (
	"encoding/json"
	"reflect"
	"sync"
)

// Agent is one device as GET /web/api/v2.1/agents returns it. It also reads
// the simplified field names of the Sekoia.io documentation ("seed" names such
// as osVersion or ipv4Addresses), which the mapping contract accepts too.
// Fields the collector does not use are not decoded here; the raw record keeps
// them.
type Agent struct {
	ID                    String                 `json:"id"`
	UUID                  String                 `json:"uuid"`
	ComputerName          String                 `json:"computerName"`
	Domain                String                 `json:"domain"`
	OSType                String                 `json:"osType"`
	OSName                String                 `json:"osName"`
	OSRevision            String                 `json:"osRevision"`
	OSArch                String                 `json:"osArch"`
	ModelName             String                 `json:"modelName"`
	SerialNumber          String                 `json:"serialNumber"`
	CPUCount              Int                    `json:"cpuCount"`
	CoreCount             Int                    `json:"coreCount"`
	TotalMemory           Int                    `json:"totalMemory"`
	NetworkInterfaces     List[NetworkInterface] `json:"networkInterfaces"`
	MachineType           String                 `json:"machineType"`
	IsActive              Bool                   `json:"isActive"`
	NetworkStatus         String                 `json:"networkStatus"`
	IsUninstalled         Bool                   `json:"isUninstalled"`
	IsDecommissioned      Bool                   `json:"isDecommissioned"`
	IsPendingUninstall    Bool                   `json:"isPendingUninstall"`
	IsUpToDate            Bool                   `json:"isUpToDate"`
	AgentVersion          String                 `json:"agentVersion"`
	Infected              Bool                   `json:"infected"`
	ActiveThreats         Int                    `json:"activeThreats"`
	EncryptedApplications Bool                   `json:"encryptedApplications"`
	FirewallEnabled       Bool                   `json:"firewallEnabled"`
	LastLoggedInUserName  String                 `json:"lastLoggedInUserName"`
	CreatedAt             String                 `json:"createdAt"`
	UpdatedAt             String                 `json:"updatedAt"`
	LastActiveDate        String                 `json:"lastActiveDate"`
	RegisteredAt          String                 `json:"registeredAt"`
	AccountID             String                 `json:"accountId"`
	AccountName           String                 `json:"accountName"`
	SiteID                String                 `json:"siteId"`
	SiteName              String                 `json:"siteName"`
	GroupID               String                 `json:"groupId"`
	GroupName             String                 `json:"groupName"`
	ExternalID            String                 `json:"externalId"`
	ExternalIP            String                 `json:"externalIp"`
	LastIPToMgmt          String                 `json:"lastIpToMgmt"`
	MitigationMode        String                 `json:"mitigationMode"`
	ActiveDirectory       *AgentActiveDirectory  `json:"activeDirectory"`

	// Seed (Sekoia.io documentation) names. When present they win over the
	// real-API fields above.
	Name                      String  `json:"name"`
	Type                      String  `json:"type"`
	OSVersion                 String  `json:"osVersion"`
	Manufacturer              String  `json:"manufacturer"`
	ProcessorCount            Int     `json:"processorCount"`
	MemorySize                Int     `json:"memorySize"`
	IPv4Addresses             Strings `json:"ipv4Addresses"`
	IPv6Addresses             Strings `json:"ipv6Addresses"`
	MACAddresses              Strings `json:"macAddresses"`
	IsOnline                  Bool    `json:"isOnline"`
	AgentStatus               String  `json:"agentStatus"`
	ThreatLevel               String  `json:"threatLevel"`
	ThreatCount               Int     `json:"threatCount"`
	LastIncidentDate          String  `json:"lastIncidentDate"`
	EncryptionEnabled         Bool    `json:"encryptionEnabled"`
	IsFirewallEnabled         Bool    `json:"isFirewallEnabled"`
	IsTamperProtectionEnabled Bool    `json:"isTamperProtectionEnabled"`
	UserID                    String  `json:"userId"`
	UserName                  String  `json:"userName"`
	UserFullName              String  `json:"userFullName"`
	CreatedDate               String  `json:"createdDate"`
	UpdatedDate               String  `json:"updatedDate"`
}

// NetworkInterface is one element of an agent's networkInterfaces.
type NetworkInterface struct {
	ID                String  `json:"id"`
	Name              String  `json:"name"`
	Physical          String  `json:"physical"`
	Inet              Strings `json:"inet"`
	Inet6             Strings `json:"inet6"`
	GatewayIP         String  `json:"gatewayIp"`
	GatewayMacAddress String  `json:"gatewayMacAddress"`
}

// AgentActiveDirectory is the agent's activeDirectory object.
type AgentActiveDirectory struct {
	ComputerDistinguishedName String `json:"computerDistinguishedName"`
	LastUserDistinguishedName String `json:"lastUserDistinguishedName"`
	UserPrincipalName         String `json:"userPrincipalName"`
}

// UnmarshalJSON tolerates an activeDirectory that is not an object.
func (a *AgentActiveDirectory) UnmarshalJSON(p []byte) error {
	type plain AgentActiveDirectory
	var v plain
	if json.Unmarshal(p, &v) == nil {
		*a = AgentActiveDirectory(v)
	}
	return nil
}

// OddFields lists the JSON names of the fields of v (a pointer to a decoded
// model) whose values were present but unreadable. It looks one level into
// lists of objects.
func OddFields(v any) []string {
	rv := reflect.Indirect(reflect.ValueOf(v))
	var out []string
	for _, f := range lenientFields(rv.Type()) {
		fv := rv.Field(f.index)
		if fv.Field(f.odd).Bool() {
			out = append(out, f.name)
		}
		if f.values < 0 {
			continue
		}
		vals := fv.Field(f.values)
		for j := range vals.Len() {
			for _, sub := range OddFields(vals.Index(j).Addr().Interface()) {
				out = append(out, f.name+"[]."+sub)
			}
		}
	}
	return out
}

// lenientField locates a lenient field and its Odd (and, for lists of
// objects, Values) fields by index, so checking a record needs no lookups
// by name.
type lenientField struct {
	name               string
	index, odd, values int
}

var lenientCache sync.Map // reflect.Type → []lenientField

func lenientFields(t reflect.Type) []lenientField {
	if v, ok := lenientCache.Load(t); ok {
		return v.([]lenientField)
	}
	var out []lenientField
	for i := range t.NumField() {
		ft := t.Field(i).Type
		if ft.Kind() != reflect.Struct {
			continue
		}
		odd, ok := ft.FieldByName("Odd")
		if !ok || odd.Type.Kind() != reflect.Bool {
			continue
		}
		f := lenientField{name: t.Field(i).Tag.Get("json"), index: i, odd: odd.Index[0], values: -1}
		if vals, ok := ft.FieldByName("Values"); ok && vals.Type.Kind() == reflect.Slice && vals.Type.Elem().Kind() == reflect.Struct {
			f.values = vals.Index[0]
		}
		out = append(out, f)
	}
	lenientCache.Store(t, out)
	return out
}

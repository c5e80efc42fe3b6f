package ocsf

import "s1collector/internal/jsonenc"

// InventoryInfo is class 5001 Device Inventory Info. Unmapped is nil when
// the source said nothing OCSF has no attribute for.
type InventoryInfo struct {
	Header
	Device      Device       `json:"device"`
	Enrichments []Enrichment `json:"enrichments,omitempty"`
	Unmapped    Object       `json:"unmapped,omitempty"`
}

// Object is a JSON object whose possible members the mapping knows in
// advance (a device's unmapped facts, an enrichment's data): a struct that
// encoding/json writes from its tags and that writes itself the same way.
// Declared with its fields in the byte order of their keys, it reads as a
// map of the same members would (encoding/json sorts a map's keys), at no
// cost per event: no map to build, no keys to sort.
type Object interface {
	AppendJSON(w *jsonenc.Writer)
}

// Metadata is the event's metadata object.
type Metadata struct {
	Version      string  `json:"version"`
	Product      Product `json:"product"`
	UID          string  `json:"uid,omitempty"`
	TenantUID    string  `json:"tenant_uid,omitempty"`
	LogName      string  `json:"log_name,omitempty"`
	LogProvider  string  `json:"log_provider,omitempty"`
	OriginalTime string  `json:"original_time,omitempty"`
	ModifiedTime int64   `json:"modified_time,omitempty"`
	EventCode    string  `json:"event_code,omitempty"`
	// Profiles names the profiles applied; each allows attributes the
	// class does not have without it.
	Profiles []string `json:"profiles,omitempty"`
}

// Product names the product that reported the event.
type Product struct {
	Name       string `json:"name,omitempty"`
	VendorName string `json:"vendor_name,omitempty"`
	Version    string `json:"version,omitempty"`
	UID        string `json:"uid,omitempty"`
	// Feature is the part of the product that reported the event.
	Feature *Feature `json:"feature,omitempty"`
}

// Feature names a part of a product.
type Feature struct {
	Name string `json:"name"`
}

// Device is the device object. TypeID is required and always written.
type Device struct {
	UID               string             `json:"uid,omitempty"`
	UIDAlt            string             `json:"uid_alt,omitempty"`
	EID               string             `json:"eid,omitempty"`
	Name              string             `json:"name,omitempty"`
	Hostname          string             `json:"hostname,omitempty"`
	Domain            string             `json:"domain,omitempty"`
	TypeID            int                `json:"type_id"`
	Type              string             `json:"type,omitempty"`
	VendorName        string             `json:"vendor_name,omitempty"`
	Model             string             `json:"model,omitempty"`
	IP                string             `json:"ip,omitempty"`
	MAC               string             `json:"mac,omitempty"`
	IsManaged         *bool              `json:"is_managed,omitempty"`
	CreatedTime       int64              `json:"created_time,omitempty"`
	ModifiedTime      int64              `json:"modified_time,omitempty"`
	LastSeenTime      int64              `json:"last_seen_time,omitempty"`
	RiskLevelID       *int               `json:"risk_level_id,omitempty"`
	RiskLevel         string             `json:"risk_level,omitempty"`
	RiskScore         *int64             `json:"risk_score,omitempty"`
	Org               *Organization      `json:"org,omitempty"`
	Groups            []Group            `json:"groups,omitempty"`
	OS                *OS                `json:"os,omitempty"`
	HWInfo            *HWInfo            `json:"hw_info,omitempty"`
	NetworkInterfaces []NetworkInterface `json:"network_interfaces,omitempty"`
	AgentList         []Agent            `json:"agent_list,omitempty"`
	Owner             *User              `json:"owner,omitempty"`
}

// OS is the operating system object; Name and TypeID are required.
type OS struct {
	Name    string `json:"name"`
	TypeID  int    `json:"type_id"`
	Type    string `json:"type,omitempty"`
	Version string `json:"version,omitempty"`
	Build   string `json:"build,omitempty"`
}

// HWInfo is device_hw_info.
type HWInfo struct {
	CPUCount     *int64 `json:"cpu_count,omitempty"`
	CPUCores     *int64 `json:"cpu_cores,omitempty"`
	RAMSize      *int64 `json:"ram_size,omitempty"`
	SerialNumber string `json:"serial_number,omitempty"`
	VendorName   string `json:"vendor_name,omitempty"`
}

// IsZero reports whether no field is set.
func (h HWInfo) IsZero() bool { return h == HWInfo{} }

// NetworkInterface is one (name, mac, ip) combination of a device.
type NetworkInterface struct {
	Name   string `json:"name,omitempty"`
	MAC    string `json:"mac,omitempty"`
	IP     string `json:"ip,omitempty"`
	UID    string `json:"uid,omitempty"`
	TypeID *int   `json:"type_id,omitempty"`
	Type   string `json:"type,omitempty"`
}

// Agent is a software agent installed on the device.
type Agent struct {
	UID        string   `json:"uid,omitempty"`
	Name       string   `json:"name,omitempty"`
	TypeID     int      `json:"type_id"`
	Type       string   `json:"type,omitempty"`
	VendorName string   `json:"vendor_name,omitempty"`
	Version    string   `json:"version,omitempty"`
	Policies   []Policy `json:"policies,omitempty"`
}

// Policy is a policy an agent applies.
type Policy struct {
	Name      string `json:"name"`
	IsApplied bool   `json:"is_applied"`
}

// User is a user account: a device's owner, an actor, an assignee.
type User struct {
	UID       string `json:"uid,omitempty"`
	Name      string `json:"name,omitempty"`
	FullName  string `json:"full_name,omitempty"`
	EmailAddr string `json:"email_addr,omitempty"`
	Domain    string `json:"domain,omitempty"`
	TypeID    *int   `json:"type_id,omitempty"`
	Type      string `json:"type,omitempty"`
}

// User type ids.
const (
	UserRegular = 1
	UserAdmin   = 2
	UserService = 4
)

// UserTypeCaption spells user.type_id as the schema does.
func UserTypeCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "User", 2: "Admin", 3: "System", 4: "Service", 99: "Other"}, id)
}

// Organization is the account (uid, name) and site (ou_uid, ou_name).
type Organization struct {
	UID    string `json:"uid,omitempty"`
	Name   string `json:"name,omitempty"`
	OUUID  string `json:"ou_uid,omitempty"`
	OUName string `json:"ou_name,omitempty"`
}

// OrNil is o, or nil when o has neither uid nor name: OCSF requires one
// of them, so an organization known only by its site is left out.
func (o *Organization) OrNil() *Organization {
	if o.UID == "" && o.Name == "" {
		return nil
	}
	return o
}

// Group is a device group.
type Group struct {
	UID  string `json:"uid,omitempty"`
	Name string `json:"name,omitempty"`
}

// Enrichment adds facts about one attribute of the event: Name is the
// attribute's path, Value its value.
type Enrichment struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Type     string `json:"type,omitempty"`
	Provider string `json:"provider,omitempty"`
	Data     Object `json:"data"`
}

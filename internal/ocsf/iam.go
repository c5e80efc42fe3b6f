package ocsf

// Authentication is class 3002: a logon or logoff; User is required.
type Authentication struct {
	Header
	StatusID     *int             `json:"status_id,omitempty"`
	Status       string           `json:"status,omitempty"`
	StatusDetail string           `json:"status_detail,omitempty"`
	User         User             `json:"user"`
	Actor        *Actor           `json:"actor,omitempty"`
	IsMFA        *bool            `json:"is_mfa,omitempty"`
	SrcEndpoint  *NetworkEndpoint `json:"src_endpoint,omitempty"`
	Service      *Service         `json:"service,omitempty"`
	Unmapped     map[string]any   `json:"unmapped,omitempty"`
}

// AccountChange is class 3001: a user account created, changed or
// deleted; User is required.
type AccountChange struct {
	Header
	StatusID *int           `json:"status_id,omitempty"`
	Status   string         `json:"status,omitempty"`
	User     User           `json:"user"`
	Actor    *Actor         `json:"actor,omitempty"`
	Unmapped map[string]any `json:"unmapped,omitempty"`
}

// EntityManagement is class 3004: a managed entity (device, policy, site,
// group, rule…) changed at a management console; Entity is required.
type EntityManagement struct {
	Header
	StatusID *int           `json:"status_id,omitempty"`
	Status   string         `json:"status,omitempty"`
	Entity   ManagedEntity  `json:"entity"`
	Actor    *Actor         `json:"actor,omitempty"`
	Comment  string         `json:"comment,omitempty"`
	Unmapped map[string]any `json:"unmapped,omitempty"`
}

// ScanActivity is class 6007: a scan started, completed or cancelled; Scan
// is required; Device needs the host profile.
type ScanActivity struct {
	Header
	Scan     Scan           `json:"scan"`
	Device   *Device        `json:"device,omitempty"`
	Unmapped map[string]any `json:"unmapped,omitempty"`
}

// Scan names a scan; TypeID is required.
type Scan struct {
	Name   string `json:"name,omitempty"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

// BaseEvent is class 0, for what no other class fits.
type BaseEvent struct {
	Header
	Unmapped map[string]any `json:"unmapped,omitempty"`
}

// Actor is who did it.
type Actor struct {
	User    *User    `json:"user,omitempty"`
	Process *Process `json:"process,omitempty"`
	AppName string   `json:"app_name,omitempty"`
}

// NetworkEndpoint is the source or destination of a connection.
type NetworkEndpoint struct {
	Hostname string `json:"hostname,omitempty"`
	IP       string `json:"ip,omitempty"`
	Port     *int64 `json:"port,omitempty"`
}

// Service is the service a user authenticated to.
type Service struct {
	Name string `json:"name"`
}

// ManagedEntity is what an Entity Management event is about.
type ManagedEntity struct {
	UID    string        `json:"uid,omitempty"`
	Name   string        `json:"name,omitempty"`
	TypeID int           `json:"type_id"`
	Type   string        `json:"type"`
	Device *Device       `json:"device,omitempty"`
	Group  *Group        `json:"group,omitempty"`
	Org    *Organization `json:"org,omitempty"`
	User   *User         `json:"user,omitempty"`
}

// Managed entity type ids.
const (
	EntityOther  = 99
	EntityDevice = 1
	EntityUser   = 2
	EntityGroup  = 3
	EntityOrg    = 4
	EntityPolicy = 5
)

// EntityTypeCaption spells managed_entity.type_id as the schema does.
func EntityTypeCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "Device", 2: "User", 3: "Group", 4: "Organization", 5: "Policy",
		6: "Email", 7: "Network Zone", 99: "Other"}, id)
}

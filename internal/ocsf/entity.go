package ocsf

// Entity Management (3004, category Identity & Access Management): an
// operation on an entity a management console manages.
const (
	CategoryIAM           = 3
	ClassEntityManagement = 3004

	EntityActivityDelete = 4 // activity_id 4 Delete
	ManagedEntityDevice  = 1 // managed_entity.type_id 1 Device
	StatusSuccess        = 1 // status_id 1 Success
)

// EntityManagement is class 3004 Entity Management.
type EntityManagement struct {
	Class
	StatusID int            `json:"status_id,omitempty"`
	Status   string         `json:"status,omitempty"`
	Time     int64          `json:"time"`
	Message  string         `json:"message,omitempty"`
	Metadata Metadata       `json:"metadata"`
	Entity   ManagedEntity  `json:"entity"`
	Unmapped map[string]any `json:"unmapped,omitempty"`
}

// ManagedEntity is the managed_entity object; at least one of its uid,
// name or typed object is set.
type ManagedEntity struct {
	UID    string  `json:"uid,omitempty"`
	Name   string  `json:"name,omitempty"`
	TypeID int     `json:"type_id"`
	Type   string  `json:"type,omitempty"`
	Device *Device `json:"device,omitempty"`
}

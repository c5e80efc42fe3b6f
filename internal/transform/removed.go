package transform

import (
	"encoding/json"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// RemovedMessage says what a removal event means.
const RemovedMessage = "Device no longer listed by the SentinelOne console (confirmed by a lookup by id)"

// Entity Management (3004, category Identity & Access Management), activity
// Delete, of a managed entity of type Device.
const (
	categoryIAM           = 3
	classEntityManagement = 3004
	activityDelete        = 4
	entityDevice          = 1
)

// entityManagement is the OCSF 1.6.0 Entity Management event of a removal.
type entityManagement struct {
	ActivityID   int           `json:"activity_id"`
	ActivityName string        `json:"activity_name"`
	CategoryUID  int           `json:"category_uid"`
	CategoryName string        `json:"category_name"`
	ClassUID     int           `json:"class_uid"`
	ClassName    string        `json:"class_name"`
	TypeUID      int           `json:"type_uid"`
	TypeName     string        `json:"type_name"`
	SeverityID   int           `json:"severity_id"`
	Severity     string        `json:"severity"`
	StatusID     int           `json:"status_id"`
	Status       string        `json:"status"`
	Time         int64         `json:"time"`
	Message      string        `json:"message"`
	Metadata     ocsf.Metadata `json:"metadata"`
	Entity       managedEntity `json:"entity"`
}

type managedEntity struct {
	UID    string       `json:"uid"`
	TypeID int          `json:"type_id"`
	Type   string       `json:"type"`
	Device *ocsf.Device `json:"device"`
}

// Removed is the event telling that the console no longer has device id,
// as found at detected. With the ocsf profile it is an Entity Management
// (3004) Delete of a Device entity; with the others a small object:
//
//	{"id":"…","removed":true,"detectedAt":"2026-01-02T03:04:05.000000Z","message":"…"}
func (p Profile) Removed(id string, detected time.Time) (json.RawMessage, error) {
	if p != ProfileOCSF {
		return json.Marshal(struct {
			ID         string `json:"id"`
			Removed    bool   `json:"removed"`
			DetectedAt string `json:"detectedAt"`
			Message    string `json:"message"`
		}{id, true, sentinelone.FormatTime(detected), RemovedMessage})
	}
	return json.Marshal(entityManagement{
		ActivityID: activityDelete, ActivityName: "Delete", CategoryUID: categoryIAM, CategoryName: "Identity & Access Management",
		ClassUID: classEntityManagement, ClassName: "Entity Management",
		TypeUID: ocsf.TypeUID(classEntityManagement, activityDelete), TypeName: "Entity Management: Delete",
		SeverityID: ocsf.SeverityInformational, Severity: ocsf.SeverityCaption(ocsf.SeverityInformational),
		StatusID: 1, Status: "Success", Time: detected.UnixMilli(), Message: RemovedMessage,
		Metadata: ocsf.Metadata{Version: ocsf.Version, Product: ocsf.Product{Name: "SentinelOne", VendorName: "SentinelOne"},
			UID: id + "-removed", LogName: "agents", LogProvider: "SentinelOne Management API"},
		Entity: managedEntity{UID: id, TypeID: entityDevice, Type: "Device",
			Device: &ocsf.Device{UID: id, TypeID: ocsf.DeviceUnknown, Type: ocsf.DeviceTypeCaption(ocsf.DeviceUnknown)}},
	})
}

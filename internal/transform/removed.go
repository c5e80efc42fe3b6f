package transform

import (
	"encoding/json"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// RemovedMessage says what a removal event means.
const RemovedMessage = "Device no longer listed by the SentinelOne console (confirmed by a lookup by id)"

// entityDelete is Entity Management's activity_id 4 Delete.
const entityDelete = 4

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
	h := ocsf.NewHeader(ocsf.ClassEntityManagement, entityDelete, ocsf.SeverityInformational, detected)
	h.Message = RemovedMessage
	h.Metadata = ocsf.Metadata{Version: ocsf.Version, Product: ocsf.Product{Name: "SentinelOne", VendorName: "SentinelOne"},
		UID: id + "-removed", LogName: "agents", LogProvider: "SentinelOne Management API"}
	success := 1
	return json.Marshal(ocsf.EntityManagement{Header: h, StatusID: &success, Status: "Success",
		Entity: ocsf.ManagedEntity{UID: id, TypeID: ocsf.EntityDevice, Type: ocsf.EntityTypeCaption(ocsf.EntityDevice),
			Device: &ocsf.Device{UID: id, TypeID: ocsf.DeviceUnknown, Type: ocsf.DeviceTypeCaption(ocsf.DeviceUnknown)}}})
}

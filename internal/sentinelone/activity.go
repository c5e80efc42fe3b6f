package sentinelone

import (
	"bytes"

	"github.com/go-json-experiment/json/jsontext"
)

// Activity is one record of GET /web/api/v2.1/activities. Fields the
// collector does not use are not decoded here; the raw record keeps them.
type Activity struct {
	ID                 String         `json:"id"`
	ActivityType       Int            `json:"activityType"`
	ActivityUUID       String         `json:"activityUuid"`
	CreatedAt          String         `json:"createdAt"`
	UpdatedAt          String         `json:"updatedAt"`
	PrimaryDescription String         `json:"primaryDescription"`
	AgentID            String         `json:"agentId"`
	ThreatID           String         `json:"threatId"`
	SiteID             String         `json:"siteId"`
	AccountID          String         `json:"accountId"`
	Data               jsontext.Value `json:"data"` // as it came, any JSON

	state
}

// UnmarshalJSONFrom decodes an activity; a value that is not an object is
// skipped and reported as an error, null leaves it empty.
func (a *Activity) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return readModel(dec, a.decodeAt) }

// decodeAt reads the value at b[i] into a and returns the index after it.
func (a *Activity) decodeAt(b []byte, i int) (int, error) {
	*a = Activity{state: a.state}
	return a.state.decode(b, i, a)
}

func (a *Activity) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "id":
		return a.ID.set(value, ar)
	case "activityType":
		return a.ActivityType.set(value, ar)
	case "activityUuid":
		return a.ActivityUUID.set(value, ar)
	case "createdAt":
		return a.CreatedAt.set(value, ar)
	case "updatedAt":
		return a.UpdatedAt.set(value, ar)
	case "primaryDescription":
		return a.PrimaryDescription.set(value, ar)
	case "agentId":
		return a.AgentID.set(value, ar)
	case "threatId":
		return a.ThreatID.set(value, ar)
	case "siteId":
		return a.SiteID.set(value, ar)
	case "accountId":
		return a.AccountID.set(value, ar)
	case "data":
		a.Data = bytes.Clone(value) // the decoder's buffer is reused
		return false
	}
	return false
}

// Key returns the activity's id and createdAt, the time activities are
// listed by.
func (a *Activity) Key() (id, at String) { return a.ID, a.CreatedAt }

// OddFields names the fields whose values were present but unreadable.
func (a *Activity) OddFields() []string { return a.state.oddFields(a) }

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

	maybeOdd bool
}

// UnmarshalJSONFrom decodes an activity; a value that is not an object is
// skipped and reported as an error, null leaves the activity empty.
func (a *Activity) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*a = Activity{}
	odd, err := decodeObject(dec, a)
	a.maybeOdd = odd
	return err
}

// UnmarshalMembersFrom decodes an activity whose '{' and first member name
// were read by the caller.
func (a *Activity) UnmarshalMembersFrom(dec *jsontext.Decoder, first []byte) error {
	*a = Activity{}
	odd, err := continueObject(dec, a, first)
	a.maybeOdd = odd
	return err
}

func (a *Activity) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	switch string(name) {
	case "id":
		return a.ID.read(dec)
	case "activityType":
		return a.ActivityType.read(dec)
	case "activityUuid":
		return a.ActivityUUID.read(dec)
	case "createdAt":
		return a.CreatedAt.read(dec)
	case "updatedAt":
		return a.UpdatedAt.read(dec)
	case "primaryDescription":
		return a.PrimaryDescription.read(dec)
	case "agentId":
		return a.AgentID.read(dec)
	case "threatId":
		return a.ThreatID.read(dec)
	case "siteId":
		return a.SiteID.read(dec)
	case "accountId":
		return a.AccountID.read(dec)
	case "data":
		v, err := dec.ReadValue()
		a.Data = bytes.Clone(v) // the decoder's buffer is reused
		return false, err
	}
	return false, dec.SkipValue()
}

// Key returns the activity's id and createdAt, the time activities are
// listed by.
func (a *Activity) Key() (id, at String) { return a.ID, a.CreatedAt }

// OddFields names the fields whose values were present but unreadable.
func (a *Activity) OddFields() []string {
	if !a.maybeOdd {
		return nil
	}
	return OddFields(a)
}

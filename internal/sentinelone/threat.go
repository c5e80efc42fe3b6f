package sentinelone

import "github.com/go-json-experiment/json/jsontext"

// Threat is one record of GET /web/api/v2.1/threats. Its timestamps are
// nested in threatInfo; the console's createdAt/updatedAt filters apply to them.
type Threat struct {
	ID                String            `json:"id"`
	ThreatInfo        ThreatInfo        `json:"threatInfo"`
	AgentRealtimeInfo AgentRealtimeInfo `json:"agentRealtimeInfo"`

	maybeOdd bool
}

// UnmarshalJSONFrom decodes a threat; a value that is not an object is
// skipped and reported as an error, null leaves the threat empty.
func (t *Threat) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		*t = Threat{}
		return err
	}
	return t.decodeBytes(v)
}

// decodeBytes reads the value v (checked JSON) into t, as
// UnmarshalJSONFrom.
func (t *Threat) decodeBytes(v []byte) error {
	_, err := t.decodeAt(v, 0)
	return err
}

// decodeAt reads the value at b[i] into t and returns the index after it.
func (t *Threat) decodeAt(b []byte, i int) (int, error) {
	*t = Threat{}
	end, odd, err := setObject(b, i, t)
	t.maybeOdd = odd
	return end, err
}

func (t *Threat) setMember(name, value []byte) bool {
	switch string(name) {
	case "id":
		return t.ID.set(value)
	case "threatInfo":
		t.ThreatInfo = ThreatInfo{}
		return setNested(value, &t.ThreatInfo, &t.ThreatInfo.Odd)
	case "agentRealtimeInfo":
		t.AgentRealtimeInfo = AgentRealtimeInfo{}
		return setNested(value, &t.AgentRealtimeInfo, &t.AgentRealtimeInfo.Odd)
	}
	return false
}

// Key returns the threat's id and threatInfo.updatedAt, the time threats
// are listed by.
func (t *Threat) Key() (id, at String) { return t.ID, t.ThreatInfo.UpdatedAt }

// OddFields names the fields whose values were present but unreadable.
func (t *Threat) OddFields() []string {
	if !t.maybeOdd {
		return nil
	}
	return OddFields(t)
}

// ThreatInfo is the threatInfo object of a threat.
type ThreatInfo struct {
	ThreatID         String `json:"threatId"`
	ThreatName       String `json:"threatName"`
	Classification   String `json:"classification"`
	ConfidenceLevel  String `json:"confidenceLevel"`
	MitigationStatus String `json:"mitigationStatus"`
	AnalystVerdict   String `json:"analystVerdict"`
	IncidentStatus   String `json:"incidentStatus"`
	SHA1             String `json:"sha1"`
	FilePath         String `json:"filePath"`
	CreatedAt        String `json:"createdAt"`
	UpdatedAt        String `json:"updatedAt"`
	IdentifiedAt     String `json:"identifiedAt"`

	Odd bool `json:"-"` // threatInfo was not an object
}

func (t *ThreatInfo) setMember(name, value []byte) bool {
	switch string(name) {
	case "threatId":
		return t.ThreatID.set(value)
	case "threatName":
		return t.ThreatName.set(value)
	case "classification":
		return t.Classification.set(value)
	case "confidenceLevel":
		return t.ConfidenceLevel.set(value)
	case "mitigationStatus":
		return t.MitigationStatus.set(value)
	case "analystVerdict":
		return t.AnalystVerdict.set(value)
	case "incidentStatus":
		return t.IncidentStatus.set(value)
	case "sha1":
		return t.SHA1.set(value)
	case "filePath":
		return t.FilePath.set(value)
	case "createdAt":
		return t.CreatedAt.set(value)
	case "updatedAt":
		return t.UpdatedAt.set(value)
	case "identifiedAt":
		return t.IdentifiedAt.set(value)
	}
	return false
}

// AgentRealtimeInfo is the agentRealtimeInfo object of a threat.
type AgentRealtimeInfo struct {
	AgentID           String `json:"agentId"`
	AgentComputerName String `json:"agentComputerName"`
	AgentOSType       String `json:"agentOsType"`
	SiteID            String `json:"siteId"`
	AccountID         String `json:"accountId"`

	Odd bool `json:"-"` // agentRealtimeInfo was not an object
}

func (a *AgentRealtimeInfo) setMember(name, value []byte) bool {
	switch string(name) {
	case "agentId":
		return a.AgentID.set(value)
	case "agentComputerName":
		return a.AgentComputerName.set(value)
	case "agentOsType":
		return a.AgentOSType.set(value)
	case "siteId":
		return a.SiteID.set(value)
	case "accountId":
		return a.AccountID.set(value)
	}
	return false
}

// setNested reads an object nested in a record; a value that is not an
// object (null aside) leaves it empty and sets odd.
func setNested(value []byte, m memberSetter, odd *bool) bool {
	_, inner, err := setObject(value, 0, m)
	if err != nil {
		*odd = true
		return true
	}
	return inner
}

package sentinelone

import "github.com/go-json-experiment/json/jsontext"

// Threat is one record of GET /web/api/v2.1/threats. Its timestamps are
// nested in threatInfo; the console's createdAt/updatedAt filters apply to them.
type Threat struct {
	ID                String            `json:"id"`
	ThreatInfo        ThreatInfo        `json:"threatInfo"`
	AgentRealtimeInfo AgentRealtimeInfo `json:"agentRealtimeInfo"`

	state
}

// UnmarshalJSONFrom decodes a threat; a value that is not an object is
// skipped and reported as an error, null leaves it empty.
func (t *Threat) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return readModel(dec, t.decodeAt) }

// decodeAt reads the value at b[i] into t and returns the index after it.
func (t *Threat) decodeAt(b []byte, i int) (int, error) {
	*t = Threat{state: t.state}
	return t.state.decode(b, i, t)
}

func (t *Threat) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "id":
		return t.ID.set(value, ar)
	case "threatInfo":
		t.ThreatInfo = ThreatInfo{}
		return setNested(value, &t.ThreatInfo, &t.ThreatInfo.Odd, ar)
	case "agentRealtimeInfo":
		t.AgentRealtimeInfo = AgentRealtimeInfo{}
		return setNested(value, &t.AgentRealtimeInfo, &t.AgentRealtimeInfo.Odd, ar)
	}
	return false
}

// Key returns the threat's id and threatInfo.updatedAt, the time threats
// are listed by.
func (t *Threat) Key() (id, at String) { return t.ID, t.ThreatInfo.UpdatedAt }

// OddFields names the fields whose values were present but unreadable.
func (t *Threat) OddFields() []string { return t.state.oddFields(t) }

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

func (t *ThreatInfo) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "threatId":
		return t.ThreatID.set(value, ar)
	case "threatName":
		return t.ThreatName.set(value, ar)
	case "classification":
		return t.Classification.set(value, ar)
	case "confidenceLevel":
		return t.ConfidenceLevel.set(value, ar)
	case "mitigationStatus":
		return t.MitigationStatus.set(value, ar)
	case "analystVerdict":
		return t.AnalystVerdict.set(value, ar)
	case "incidentStatus":
		return t.IncidentStatus.set(value, ar)
	case "sha1":
		return t.SHA1.set(value, ar)
	case "filePath":
		return t.FilePath.set(value, ar)
	case "createdAt":
		return t.CreatedAt.set(value, ar)
	case "updatedAt":
		return t.UpdatedAt.set(value, ar)
	case "identifiedAt":
		return t.IdentifiedAt.set(value, ar)
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

func (a *AgentRealtimeInfo) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "agentId":
		return a.AgentID.set(value, ar)
	case "agentComputerName":
		return a.AgentComputerName.set(value, ar)
	case "agentOsType":
		return a.AgentOSType.set(value, ar)
	case "siteId":
		return a.SiteID.set(value, ar)
	case "accountId":
		return a.AccountID.set(value, ar)
	}
	return false
}

// setNested reads an object nested in a record; a value that is not an
// object (null aside) leaves it empty and sets odd.
func setNested(value []byte, m memberSetter, odd *bool, ar *arena) bool {
	_, inner, err := setObject(value, 0, m, ar)
	if err != nil {
		*odd = true
		return true
	}
	return inner
}

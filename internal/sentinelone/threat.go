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
	*t = Threat{}
	odd, err := decodeObject(dec, t)
	t.maybeOdd = odd
	return err
}

// UnmarshalMembersFrom decodes an threat whose '{' and first member name
// were read by the caller.
func (t *Threat) UnmarshalMembersFrom(dec *jsontext.Decoder, first []byte) error {
	*t = Threat{}
	odd, err := continueObject(dec, t, first)
	t.maybeOdd = odd
	return err
}

func (t *Threat) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	switch string(name) {
	case "id":
		return t.ID.read(dec)
	case "threatInfo":
		t.ThreatInfo = ThreatInfo{}
		return readNested(dec, &t.ThreatInfo, &t.ThreatInfo.Odd)
	case "agentRealtimeInfo":
		t.AgentRealtimeInfo = AgentRealtimeInfo{}
		return readNested(dec, &t.AgentRealtimeInfo, &t.AgentRealtimeInfo.Odd)
	}
	return false, dec.SkipValue()
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

func (t *ThreatInfo) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	switch string(name) {
	case "threatId":
		return t.ThreatID.read(dec)
	case "threatName":
		return t.ThreatName.read(dec)
	case "classification":
		return t.Classification.read(dec)
	case "confidenceLevel":
		return t.ConfidenceLevel.read(dec)
	case "mitigationStatus":
		return t.MitigationStatus.read(dec)
	case "analystVerdict":
		return t.AnalystVerdict.read(dec)
	case "incidentStatus":
		return t.IncidentStatus.read(dec)
	case "sha1":
		return t.SHA1.read(dec)
	case "filePath":
		return t.FilePath.read(dec)
	case "createdAt":
		return t.CreatedAt.read(dec)
	case "updatedAt":
		return t.UpdatedAt.read(dec)
	case "identifiedAt":
		return t.IdentifiedAt.read(dec)
	}
	return false, dec.SkipValue()
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

func (a *AgentRealtimeInfo) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	switch string(name) {
	case "agentId":
		return a.AgentID.read(dec)
	case "agentComputerName":
		return a.AgentComputerName.read(dec)
	case "agentOsType":
		return a.AgentOSType.read(dec)
	case "siteId":
		return a.SiteID.read(dec)
	case "accountId":
		return a.AccountID.read(dec)
	}
	return false, dec.SkipValue()
}

// readNested reads an object nested in a record; a value that is not an
// object (null aside) leaves it empty and sets odd.
func readNested(dec *jsontext.Decoder, m members, odd *bool) (bool, error) {
	inner, err := decodeObject(dec, m)
	if err == errNotObject {
		*odd = true
		return true, nil
	}
	return inner, err
}

package sentinelone

import "encoding/json"

// Activity is one record of GET /web/api/v2.1/activities.
type Activity struct {
	ID                 String          `json:"id"`
	ActivityType       Int             `json:"activityType"`
	ActivityUUID       String          `json:"activityUuid"`
	CreatedAt          String          `json:"createdAt"`
	UpdatedAt          String          `json:"updatedAt"`
	PrimaryDescription String          `json:"primaryDescription"`
	AgentID            String          `json:"agentId"`
	ThreatID           String          `json:"threatId"`
	SiteID             String          `json:"siteId"`
	AccountID          String          `json:"accountId"`
	Data               json.RawMessage `json:"data"`
}

// Threat is one record of GET /web/api/v2.1/threats. Its timestamps are
// nested in threatInfo; the console's createdAt/updatedAt filters apply to them.
type Threat struct {
	ID                String            `json:"id"`
	ThreatInfo        ThreatInfo        `json:"threatInfo"`
	AgentRealtimeInfo AgentRealtimeInfo `json:"agentRealtimeInfo"`
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
}

// UnmarshalJSON tolerates a threatInfo that is not an object.
func (t *ThreatInfo) UnmarshalJSON(p []byte) error {
	type plain ThreatInfo
	var v plain
	if json.Unmarshal(p, &v) == nil {
		*t = ThreatInfo(v)
	}
	return nil
}

// AgentRealtimeInfo is the agentRealtimeInfo object of a threat.
type AgentRealtimeInfo struct {
	AgentID           String `json:"agentId"`
	AgentComputerName String `json:"agentComputerName"`
	AgentOSType       String `json:"agentOsType"`
	SiteID            String `json:"siteId"`
	AccountID         String `json:"accountId"`
}

// UnmarshalJSON tolerates an agentRealtimeInfo that is not an object.
func (a *AgentRealtimeInfo) UnmarshalJSON(p []byte) error {
	type plain AgentRealtimeInfo
	var v plain
	if json.Unmarshal(p, &v) == nil {
		*a = AgentRealtimeInfo(v)
	}
	return nil
}

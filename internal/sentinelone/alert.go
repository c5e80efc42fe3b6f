package sentinelone

// Alert is one node of the Unified Alerts GraphQL API. Only what the
// collector needs to place it is decoded; the raw record keeps the rest.
type Alert struct {
	ID        String `json:"id"`
	CreatedAt String `json:"createdAt"`
	UpdatedAt String `json:"updatedAt"`

	state
}

func (a *Alert) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "id":
		return a.ID.set(value, ar)
	case "createdAt":
		return a.CreatedAt.set(value, ar)
	case "updatedAt":
		return a.UpdatedAt.set(value, ar)
	}
	return false
}

// decodeAt reads the value at b[i] into a and returns the index after it.
func (a *Alert) decodeAt(b []byte, i int) (int, error) {
	*a = Alert{state: a.state}
	return a.state.decode(b, i, a)
}

// Key returns the alert's id and updatedAt, the time alerts are listed by.
func (a *Alert) Key() (id, at String) { return a.ID, a.UpdatedAt }

// OddFields names the fields whose values were present but unreadable.
func (a *Alert) OddFields() []string { return a.state.oddFields(a) }

// StarAlert is one record of GET /cloud-detection/alerts (STAR custom
// rules): its id and time are in alertInfo.
type StarAlert struct {
	AlertInfo StarAlertInfo `json:"alertInfo"`

	state
}

// StarAlertInfo is a STAR alert's alertInfo object.
type StarAlertInfo struct {
	AlertID   String `json:"alertId"`
	CreatedAt String `json:"createdAt"`
	UpdatedAt String `json:"updatedAt"`

	Odd bool `json:"-"` // alertInfo was not an object
}

func (a *StarAlert) setMember(name, value []byte, ar *arena) bool {
	if string(name) == "alertInfo" {
		a.AlertInfo = StarAlertInfo{}
		return setNested(value, &a.AlertInfo, &a.AlertInfo.Odd, ar)
	}
	return false
}

func (a *StarAlertInfo) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "alertId":
		return a.AlertID.set(value, ar)
	case "createdAt":
		return a.CreatedAt.set(value, ar)
	case "updatedAt":
		return a.UpdatedAt.set(value, ar)
	}
	return false
}

// decodeAt reads the value at b[i] into a and returns the index after it.
func (a *StarAlert) decodeAt(b []byte, i int) (int, error) {
	*a = StarAlert{state: a.state}
	return a.state.decode(b, i, a)
}

// Key returns the alert's alertInfo.alertId and alertInfo.createdAt, the
// time STAR alerts are listed by.
func (a *StarAlert) Key() (id, at String) { return a.AlertInfo.AlertID, a.AlertInfo.CreatedAt }

// OddFields names the fields whose values were present but unreadable.
func (a *StarAlert) OddFields() []string { return a.state.oddFields(a) }

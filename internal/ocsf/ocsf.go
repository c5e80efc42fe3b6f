// Package ocsf holds the few OCSF 1.6.0 classes and objects s1collector
// emits, hand-written from the compiled schema, with their enums and the
// captions the schema spells. Structs omit empty values: strict OCSF
// consumers reject nulls, so a missing fact is left out, never written null.
package ocsf

// Version is the OCSF schema version of every event.
const Version = "1.6.0"

// Categories and classes.
const (
	CategoryFindings  = 2
	CategoryDiscovery = 5

	ClassDetectionFinding    = 2004
	ClassDeviceInventoryInfo = 5001
)

// Activity ids of Discovery classes.
const (
	ActivityUnknown = 0
	ActivityLog     = 1
	ActivityCollect = 2
	ActivityOther   = 99
)

// TypeUID is class_uid*100 + activity_id, as the schema defines type_uid.
func TypeUID(class, activity int) int { return class*100 + activity }

// Severity ids.
const (
	SeverityUnknown       = 0
	SeverityInformational = 1
	SeverityLow           = 2
	SeverityMedium        = 3
	SeverityHigh          = 4
	SeverityCritical      = 5
	SeverityFatal         = 6
	SeverityOther         = 99
)

var severities = map[int]string{0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal", 99: "Other"}

// SeverityCaption spells severity_id as the schema does.
func SeverityCaption(id int) string { return caption(severities, id) }

// OS type ids (os.type_id).
const (
	OSUnknown = 0
	OSOther   = 99
	OSWindows = 100
	OSLinux   = 200
	OSMacOS   = 300
)

var osTypes = map[int]string{0: "Unknown", 99: "Other", 100: "Windows", 101: "Windows Mobile", 200: "Linux", 201: "Android",
	300: "macOS", 301: "iOS", 302: "iPadOS", 400: "Solaris", 401: "AIX", 402: "HP-UX"}

// OSTypeCaption spells os.type_id as the schema does ("macOS", not "MacOS").
func OSTypeCaption(id int) string { return caption(osTypes, id) }

// Device type ids (device.type_id).
const (
	DeviceUnknown = 0
	DeviceServer  = 1
	DeviceDesktop = 2
	DeviceLaptop  = 3
	DeviceTablet  = 4
	DeviceMobile  = 5
	DeviceVirtual = 6
	DeviceOther   = 99
)

var deviceTypes = map[int]string{0: "Unknown", 1: "Server", 2: "Desktop", 3: "Laptop", 4: "Tablet", 5: "Mobile", 6: "Virtual",
	7: "IOT", 8: "Browser", 9: "Firewall", 10: "Switch", 11: "Hub", 12: "Router", 13: "IDS", 14: "IPS", 15: "Load Balancer", 99: "Other"}

// DeviceTypeCaption spells device.type_id as the schema does.
func DeviceTypeCaption(id int) string { return caption(deviceTypes, id) }

// Risk level ids (device.risk_level_id).
const (
	RiskInfo     = 0
	RiskLow      = 1
	RiskMedium   = 2
	RiskHigh     = 3
	RiskCritical = 4
	RiskOther    = 99
)

var riskLevels = map[int]string{0: "Info", 1: "Low", 2: "Medium", 3: "High", 4: "Critical", 99: "Other"}

// RiskLevelCaption spells risk_level_id as the schema does.
func RiskLevelCaption(id int) string { return caption(riskLevels, id) }

// Agent type ids (agent.type_id).
const AgentEDR = 1

var agentTypes = map[int]string{0: "Unknown", 1: "Endpoint Detection and Response", 2: "Data Loss Prevention",
	3: "Backup & Recovery", 4: "Performance Monitoring & Observability", 5: "Vulnerability Management",
	6: "Log Forwarding", 7: "Mobile Device Management", 8: "Configuration Management", 9: "Remote Access", 99: "Other"}

// AgentTypeCaption spells agent.type_id as the schema does.
func AgentTypeCaption(id int) string { return caption(agentTypes, id) }

// Network interface type ids.
const (
	InterfaceUnknown  = 0
	InterfaceWired    = 1
	InterfaceWireless = 2
	InterfaceMobile   = 3
	InterfaceTunnel   = 4
	InterfaceOther    = 99
)

var interfaceTypes = map[int]string{0: "Unknown", 1: "Wired", 2: "Wireless", 3: "Mobile", 4: "Tunnel", 99: "Other"}

// InterfaceTypeCaption spells network_interface.type_id as the schema does.
func InterfaceTypeCaption(id int) string { return caption(interfaceTypes, id) }

func caption(m map[int]string, id int) string {
	if s, ok := m[id]; ok {
		return s
	}
	return "Other"
}

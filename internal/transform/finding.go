package transform

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// other is the id every OCSF enum keeps for a value it does not list; its
// caption then carries the source's own words.
const other = 99

// agentRealtime is a threat's agentRealtimeInfo: the agent as it is now.
type agentRealtime struct {
	AgentID, AgentUUID, AgentComputerName, AgentDomain          s
	AgentOSType, AgentOSName, AgentOSRevision, AgentMachineType s
	AgentVersion, AccountID, AccountName, SiteID, SiteName      s
	GroupID, GroupName, AgentNetworkStatus, AgentMitigationMode s
	OperationalState                                            s
	AgentIsActive, AgentInfected, AgentIsDecommissioned         sentinelone.Bool
	ActiveThreats                                               sentinelone.Int
	NetworkInterfaces                                           sentinelone.List[sentinelone.NetworkInterface]
}

// agentDetection is a threat's agentDetectionInfo: the agent as it was at
// detection.
type agentDetection struct {
	AgentIPV4, AgentIPV6, AgentDomain, AgentOSName, AgentOSRevision s
	AgentUUID, AgentVersion, ExternalIP, AgentLastLoggedInUserName  s
	AgentLastLoggedInUserMail, AgentMitigationMode                  s
	AccountID, AccountName, SiteID, SiteName, GroupID, GroupName    s
}

// agentDevice builds the device of a threat: the agent now (uid = agent
// id, uid_alt = agent UUID, host, os, type as for 5001), its addresses at
// detection time, its account and site as org, its group.
func agentDevice(r *reader, rt agentRealtime, det agentDetection) *ocsf.Device {
	first := func(vs ...s) string {
		for _, v := range vs {
			if v.Value != "" {
				return v.Value
			}
		}
		return ""
	}
	d := &ocsf.Device{
		UID: rt.AgentID.Value, UIDAlt: first(rt.AgentUUID, det.AgentUUID), Hostname: rt.AgentComputerName.Value,
		Domain: first(rt.AgentDomain, det.AgentDomain),
	}
	mt := rt.AgentMachineType.NonEmpty()
	d.TypeID, d.Type = deviceTypeID(mt)
	d.IP = firstNonEmpty(r.ip("agentDetectionInfo.agentIpV4", det.AgentIPV4), r.ip("agentDetectionInfo.agentIpV6", det.AgentIPV6))
	for i, nic := range rt.NetworkInterfaces.Values {
		at := fmt.Sprintf("agentRealtimeInfo.networkInterfaces[%d].", i)
		mac := r.mac(at+"physical", nic.Physical)
		for k, ips := range [][]string{nic.Inet.Values, nic.Inet6.Values} {
			for j, ip := range ips {
				if !validIP(ip) {
					r.unusable(fmt.Sprintf("%s%s[%d]", at, []string{"inet", "inet6"}[k], j), fmt.Sprintf("%q is not an IP address", ip), ip)
				}
			}
		}
		for _, ip := range append(append([]string{}, nic.Inet.Values...), nic.Inet6.Values...) {
			if validIP(ip) {
				d.NetworkInterfaces = append(d.NetworkInterfaces, ocsf.NetworkInterface{Name: nic.Name.Value, IP: ip, MAC: mac, UID: nic.ID.Value})
			}
		}
	}
	osName := first(rt.AgentOSName, det.AgentOSName)
	if t := rt.AgentOSType.NonEmpty(); osName != "" || t != nil {
		if osName == "" {
			osName = *t
		}
		d.OS = strictOS(&facts{osType: t, osVersion: &osName, osBuild: first2(rt.AgentOSRevision, det.AgentOSRevision)})
	}
	account, site := first(rt.AccountID, det.AccountID), first(rt.SiteID, det.SiteID)
	d.Org = (&ocsf.Organization{UID: account, Name: first(rt.AccountName, det.AccountName), OUUID: site, OUName: first(rt.SiteName, det.SiteName)}).OrNil()
	if g, n := first(rt.GroupID, det.GroupID), first(rt.GroupName, det.GroupName); g != "" || n != "" {
		d.Groups = []ocsf.Group{{UID: g, Name: n}}
	}
	if v := first(rt.AgentVersion, det.AgentVersion); v != "" || d.UIDAlt != "" {
		d.AgentList = []ocsf.Agent{{UID: d.UIDAlt, Name: "SentinelOne Agent", // the agent's UUID, as for agents and alerts
			TypeID: ocsf.AgentEDR, Type: ocsf.AgentTypeCaption(ocsf.AgentEDR), VendorName: "SentinelOne", Version: v}}
	}
	if u := det.AgentLastLoggedInUserName.Value; u != "" {
		d.Owner = &ocsf.User{Name: u, EmailAddr: r.email("agentDetectionInfo.agentLastLoggedInUserMail", det.AgentLastLoggedInUserMail)}
	}
	if d.UID == "" && d.Hostname == "" && d.IP == "" {
		return nil // OCSF's device needs one of them
	}
	return d
}

func first2(vs ...s) *string {
	for _, v := range vs {
		if v.Value != "" {
			return &v.Value
		}
	}
	return nil
}

// splitList reads an address field that may hold several, comma separated.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var emailPattern = regexp.MustCompile(`^[a-zA-Z0-9!#$%&'*+\-/=?^_` + "`" + `{|}~.]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$`)

// validEmail returns v when OCSF's email_t accepts it, else "".
func validEmail(v string) string {
	if emailPattern.MatchString(v) {
		return v
	}
	return ""
}

// tactics are MITRE ATT&CK's enterprise tactics by name, for their ids.
var tactics = map[string]string{
	"reconnaissance": "TA0043", "resource development": "TA0042", "initial access": "TA0001", "execution": "TA0002",
	"persistence": "TA0003", "privilege escalation": "TA0004", "defense evasion": "TA0005", "credential access": "TA0006",
	"discovery": "TA0007", "lateral movement": "TA0008", "collection": "TA0009", "command and control": "TA0011",
	"exfiltration": "TA0010", "impact": "TA0040",
}

var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

var techniqueLink = regexp.MustCompile(`/techniques/(T\d{4})(?:/(\d{3}))?/?$`)

// techniqueFromLink is the ATT&CK id a technique's link names
// (https://attack.mitre.org/techniques/T1055/012/ is T1055.012), or "".
func techniqueFromLink(link string) string {
	m := techniqueLink.FindStringSubmatch(link)
	switch {
	case m == nil:
		return ""
	case m[2] != "":
		return m[1] + "." + m[2]
	}
	return m[1]
}

// threatAttacks lists each (tactic, technique) of the indicators once. A
// technique named by its ATT&CK id (T1059, T1059.001) is its uid; a dotted
// one is a sub-technique.
func threatAttacks(inds []indicator) []ocsf.Attack {
	var out []ocsf.Attack
	seen := map[[3]string]bool{}
	add := func(a ocsf.Attack, key [3]string) {
		if !seen[key] {
			seen[key] = true
			out = append(out, a)
		}
	}
	for _, in := range inds {
		for _, t := range in.Tactics.Values {
			tac := &ocsf.MitreEntry{Name: t.Name.Value, UID: tactics[strings.ToLower(t.Name.Value)]}
			if tac.Name == "" {
				tac = nil
			}
			named := 0
			for _, tq := range t.Techniques.Values {
				a := ocsf.Attack{Tactic: tac}
				e := &ocsf.MitreEntry{Name: tq.Name.Value, SrcURL: tq.Link.Value}
				if techniqueID.MatchString(e.Name) {
					e.UID = e.Name
				} else if e.Name == "" {
					e.UID = techniqueFromLink(e.SrcURL)
				}
				if e.Name == "" && e.UID == "" { // OCSF needs one of them
					continue
				}
				if strings.Contains(e.UID, ".") {
					a.SubTechnique = e
				} else {
					a.Technique = e
				}
				add(a, [3]string{t.Name.Value, tq.Name.Value, tq.Link.Value})
				named++
			}
			if named == 0 && tac != nil {
				add(ocsf.Attack{Tactic: tac}, [3]string{tac.Name})
			}
		}
	}
	return out
}

// observables lists what a SOC pivots on: the device's host name and IP,
// the evidence's hashes and user names.
func observables(d *ocsf.Device, evs []ocsf.Evidence) []ocsf.Observable {
	var out []ocsf.Observable
	add := func(name string, typ int, value string) {
		if value != "" {
			out = append(out, ocsf.Observable{Name: name, TypeID: typ, Type: ocsf.ObservableTypeCaption(typ), Value: value})
		}
	}
	if d != nil {
		add("device.hostname", ocsf.ObservableHostname, d.Hostname)
		add("device.ip", ocsf.ObservableIP, d.IP)
	}
	for i, e := range evs {
		p := "evidences[" + strconv.Itoa(i) + "]"
		if e.File != nil {
			for j, h := range e.File.Hashes {
				add(p+".file.hashes["+strconv.Itoa(j)+"].value", ocsf.ObservableHash, h.Value)
			}
		}
		if e.User != nil {
			add(p+".user.name", ocsf.ObservableUserName, e.User.Name)
		}
	}
	return out
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

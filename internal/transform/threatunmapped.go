package transform

// threatUnmapped keeps what a threat says that OCSF has no attribute for,
// under the console's names, so nothing is lost: the analyst verdict and
// statuses as the console spells them, the storyline, the originating
// process (OCSF's process needs a pid or uid a threat does not carry), the
// mitigation steps, the agent's state and the container or cluster.
func threatUnmapped(t threatRecord) map[string]any {
	ti, rt, det := t.ThreatInfo.V, t.AgentRealtimeInfo.V, t.AgentDetectionInfo.V
	b := bag{}
	for k, v := range map[string]s{
		"analystVerdict": ti.AnalystVerdict, "incidentStatus": ti.IncidentStatus, "mitigationStatus": ti.MitigationStatus,
		"confidenceLevel": ti.ConfidenceLevel, "classificationSource": ti.ClassificationSource,
		"detectionType": ti.DetectionType, "storyline": ti.Storyline, "externalTicketId": ti.ExternalTicketID,
		"originatorProcess": ti.OriginatorProcess, "maliciousProcessArguments": ti.MaliciousProcessArguments,
		"initiatedBy": ti.InitiatedBy, "cloudFilesHashVerdict": ti.CloudFilesHashVerdict,
		"fileVerificationType": ti.FileVerificationType, "rootProcessUpn": ti.RootProcUPN,
		"agentNetworkStatus": rt.AgentNetworkStatus, "agentMitigationMode": rt.AgentMitigationMode,
		"agentOperationalState": rt.OperationalState, "externalIp": det.ExternalIP,
	} {
		b.str(k, v)
	}
	b.boolean("mitigatedPreemptively", ti.MitigatedPreemptively)
	b.boolean("isFileless", ti.IsFileless)
	b.boolean("rebootRequired", ti.RebootRequired)
	b.boolean("automaticallyResolved", ti.AutomaticallyResolved)
	b.boolean("agentIsActive", rt.AgentIsActive)
	b.boolean("agentInfected", rt.AgentInfected)
	b.boolean("agentIsDecommissioned", rt.AgentIsDecommissioned)
	b.number("agentActiveThreats", rt.ActiveThreats)
	var steps []any
	for _, st := range t.MitigationStatus.Values {
		if st.Action.Value != "" {
			steps = append(steps, map[string]any{"action": st.Action.Value, "status": st.Status.Value})
		}
	}
	if len(steps) > 0 {
		b["mitigationActions"] = steps
	}
	b.json("containerInfo", t.ContainerInfo)
	b.json("kubernetesInfo", t.KubernetesInfo)
	b.json("ecsInfo", t.ECSInfo)
	return b.orNil()
}

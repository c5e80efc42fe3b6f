package transform

import "s1collector/internal/ocsf"

// alertEvidences: the file of the process that triggered the alert, the
// targeted user and the attacker's host. The process itself has no pid or
// uid in the API, which OCSF's process requires: its command line and
// parent go to unmapped.
func alertEvidences(r *reader, a alertRecord) []ocsf.Evidence {
	var out []ocsf.Evidence
	f := a.Process.V.File.V
	hs := r.hashes(hashField{"process.file.md5", ocsf.HashMD5, f.MD5}, hashField{"process.file.sha1", ocsf.HashSHA1, f.SHA1},
		hashField{"process.file.sha256", ocsf.HashSHA256, f.SHA256})
	if name := firstNonEmpty(f.Name.Value, baseName(f.Path.Value)); name != "" {
		out = append(out, ocsf.Evidence{File: &ocsf.File{Name: name, TypeID: ocsf.FileRegular, Type: ocsf.FileTypeCaption(ocsf.FileRegular),
			Path: f.Path.Value, Hashes: hs, CompanyName: f.CertSubject.Value}})
	}
	tu := a.DetectionTime.V.TargetUser.V
	email := r.email("detectionTime.targetUser.emailAddress", tu.EmailAddress)
	if tu.Name.Value != "" {
		out = append(out, ocsf.Evidence{User: &ocsf.User{Name: tu.Name.Value, Domain: tu.Domain.Value, EmailAddr: email}})
	}
	at := a.DetectionTime.V.Attacker.V
	if host, ip := at.Host.Value, r.ip("detectionTime.attacker.ip", at.IP); host != "" || ip != "" {
		out = append(out, ocsf.Evidence{SrcEndpoint: &ocsf.NetworkEndpoint{Hostname: host, IP: ip}})
	}
	return out
}

// alertUnmapped keeps what OCSF has no attribute for, under the API's
// names: the verdict and status as spelled, the process's command line
// and parent, the asset's state, the detecting vendor, SLOs, clusters.
func alertUnmapped(a alertRecord) map[string]any {
	b := bag{}
	for k, v := range map[string]s{
		"analystVerdict": a.AnalystVerdict, "status": a.Status, "severity": a.Severity, "classification": a.Classification,
		"confidenceLevel": a.ConfidenceLevel, "result": a.Result, "storylineId": a.StorylineID, "detectedAt": a.DetectedAt,
		"processCmdLine": a.Process.V.CmdLine, "processParentName": a.Process.V.ParentName,
		"detectionVendor": a.DetectionSource.V.Vendor, "detectionProduct": a.DetectionSource.V.Product,
	} {
		b.str(k, v)
	}
	b.boolean("noteExists", a.NoteExists)
	b.strs("attackSurfaces", a.AttackSurfaces)
	var assets []any
	for _, as := range a.Assets.Values {
		m := bag{}
		for k, v := range map[string]s{"id": as.ID, "name": as.Name, "role": as.Role, "status": as.Status, "category": as.Category,
			"subcategory": as.Subcategory, "connectivityToConsole": as.ConnectivityToConsole, "policy": as.Policy,
			"assetTypeClassifier": as.AssetTypeClassifier} {
			m.str(k, v)
		}
		if len(m) > 0 {
			assets = append(assets, map[string]any(m))
		}
	}
	if len(assets) > 0 {
		b["assets"] = assets
	}
	for i, dt := range a.DetectionTime.V.Assets.Values {
		if i == 0 {
			b.json("kubernetes", dt.Kubernetes)
			b.json("cloud", dt.Cloud)
		}
	}
	b.json("sloDetails", a.SLODetails)
	b.json("aiInvestigation", a.AIInvestigation)
	return b.orNil()
}

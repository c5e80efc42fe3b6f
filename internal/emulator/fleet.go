package emulator

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// ID bases: 19-digit decimal ids, increasing with the record index, above
// the console's 100000000000000000 floor.
const (
	accountID      = 1200000000000000001
	siteIDBase     = 1300000000000000000
	agentIDBase    = 1400000000000000000
	threatIDBase   = 1500000000000000000
	activityIDBase = 1600000000000000000
	idStride       = 1024
)

func recordID(base uint64, seed uint64, salt uint64, i int) string {
	return strconv.FormatUint(base+uint64(i)*idStride+mix(seed, salt, uint64(i))%idStride, 10)
}

func siteID(s int) string { return strconv.FormatUint(siteIDBase+uint64(s)*7919, 10) }

var siteNames = []string{"Default site", "Paris HQ", "Lyon Factory", "AWS eu-west-1", "Remote Workers", "Datacenter Frankfurt", "Azure West Europe", "Boston Office"}

func siteName(s int) string {
	if s < len(siteNames) {
		return siteNames[s]
	}
	return fmt.Sprintf("Site %d", s+1)
}

// agentProfile is what does not change about a device.
type agentProfile struct {
	idx          int
	id, uuid     string
	site         int
	osType       string
	osName       string
	osRevision   string
	osArch       string
	machineType  string
	computerName string
	modelName    *string
	serial       *string
	cpuCount     int
	coreCount    int
	memoryMB     int
	domain       string
	user         string
	nics         []nicDoc
	installer    string
}

type osChoice struct {
	osType, name, revision, arch string
}

var osChoices = []osChoice{
	{"windows", "Windows 11 Pro", "22631", "64 bit"},
	{"windows", "Windows 10 Enterprise", "19045", "64 bit"},
	{"windows", "Windows Server 2022 Standard", "20348", "64 bit"},
	{"windows", "Windows Server 2025 Standard", "26100", "64 bit"},
	{"windows_legacy", "Windows 7 Professional", "7601", "32 bit"},
	{"macos", "macOS Sonoma", "14.6.1", "ARM64"},
	{"macos", "macOS Sequoia", "15.1", "ARM64"},
	{"linux", "Ubuntu 22.04.4 LTS", "5.15.0-112-generic", "64 bit"},
	{"linux", "Red Hat Enterprise Linux 9.4", "5.14.0-427.el9.x86_64", "64 bit"},
	{"linux", "Amazon Linux 2023", "6.1.92-99.174.amzn2023.x86_64", "64 bit"},
}

var models = map[string][]string{
	"laptop":  {"Dell Inc. - Latitude 5540", "LENOVO - ThinkPad T14 Gen 4", "HP - EliteBook 840 G10"},
	"desktop": {"Dell Inc. - OptiPlex 7010", "HP - EliteDesk 800 G9"},
	"mac":     {"Apple - MacBookPro18,3", "Apple - MacBookAir10,1", "Apple - Macmini9,1"},
	"server":  {"Amazon EC2 - t3.medium", "Amazon EC2 - m5.xlarge", "VMware, Inc. - VMware Virtual Platform", "HPE - ProLiant DL380 Gen10", "QEMU - Standard PC (Q35 + ICH9, 2009)"},
}

// pickMachine chooses the OS and machine type with a realistic mix: mostly
// Windows laptops and desktops, Linux servers and Kubernetes nodes.
func pickMachine(r *rand.Rand) (osChoice, string) {
	switch p := r.IntN(100); {
	case p < 35:
		return osChoices[r.IntN(2)], "laptop"
	case p < 50:
		return osChoices[r.IntN(2)], "desktop"
	case p < 60:
		return osChoices[2+r.IntN(2)], "server"
	case p < 62:
		return osChoices[4], "desktop"
	case p < 75:
		return osChoices[5+r.IntN(2)], []string{"laptop", "desktop"}[r.IntN(2)]
	case p < 90:
		return osChoices[7+r.IntN(3)], "server"
	case p < 95:
		return osChoices[7+r.IntN(3)], []string{"kubernetes node", "kubernetes pod", "kubernetes helper"}[r.IntN(3)]
	case p < 97:
		return osChoices[9], "ecs task"
	case p < 98:
		return osChoices[7], "storage"
	}
	return osChoices[r.IntN(len(osChoices))], "unknown"
}

func (w *world) agentProfile(i int) agentProfile {
	r := rand.New(rand.NewPCG(w.cfg.Seed, mix(saltAgentDoc, uint64(i))))
	osc, mt := pickMachine(r)
	p := agentProfile{
		idx: i, id: recordID(agentIDBase, w.cfg.Seed, saltAgentDoc, i),
		uuid:   fmt.Sprintf("%016x%016x", mix(w.cfg.Seed, uint64(i), 1), mix(w.cfg.Seed, uint64(i), 2)),
		site:   int(mix(w.cfg.Seed, saltAgentDoc, uint64(i), 3) % uint64(max(w.cfg.Sites, 1))),
		osType: osc.osType, osName: osc.name, osRevision: osc.revision, osArch: osc.arch, machineType: mt,
		cpuCount: 1 + r.IntN(2), coreCount: []int{2, 4, 8, 16}[r.IntN(4)], memoryMB: []int{4058, 8192, 16384, 32768, 65536}[r.IntN(5)],
		domain: []string{"CORP", "corp.example.com", "WORKGROUP"}[r.IntN(3)],
	}
	p.computerName = computerName(r, mt, osc.osType, i)
	if list, ok := models[modelKind(mt, osc.osType)]; ok && r.IntN(20) > 0 {
		m := list[r.IntN(len(list))]
		p.modelName = &m
	}
	if mt == "laptop" || mt == "desktop" || (mt == "server" && r.IntN(2) == 0) {
		s := fmt.Sprintf("%c%c%08d", 'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(100000000))
		p.serial = &s
	}
	if mt == "laptop" || mt == "desktop" {
		p.user = fmt.Sprintf("%s.%s", firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))])
	}
	p.nics = makeNICs(r, mt)
	p.installer = map[string]string{"windows": ".msi", "windows_legacy": ".exe", "macos": ".pkg", "linux": ".deb"}[osc.osType]
	return p
}

func modelKind(mt, osType string) string {
	if osType == "macos" {
		return "mac"
	}
	if mt == "laptop" || mt == "desktop" {
		return mt
	}
	return "server"
}

var firstNames = []string{"alice", "bob", "chloe", "david", "emma", "farid", "giulia", "hugo", "ines", "jon"}
var lastNames = []string{"martin", "bernard", "dubois", "smith", "rossi", "garcia", "muller", "nguyen", "kowalski", "silva"}

func computerName(r *rand.Rand, mt, osType string, i int) string {
	switch {
	case mt == "laptop" && osType == "macos":
		return fmt.Sprintf("%ss-MacBook-Pro-%d", firstNames[r.IntN(len(firstNames))], i%100)
	case mt == "laptop":
		return fmt.Sprintf("LAPTOP-%06X", i)
	case mt == "desktop":
		return fmt.Sprintf("DESKTOP-%06X", i)
	case osType == "linux":
		return fmt.Sprintf("ip-10-%d-%d-%d", (i>>16)&255, (i>>8)&255, i&255)
	}
	return fmt.Sprintf("SRV-%s-%05d", []string{"WEB", "DB", "APP", "FS", "DC"}[r.IntN(5)], i%100000)
}

type nicDoc struct {
	GatewayIP         *string  `json:"gatewayIp"`
	GatewayMacAddress *string  `json:"gatewayMacAddress"`
	ID                string   `json:"id"`
	Inet              []string `json:"inet"`
	Inet6             []string `json:"inet6"`
	Name              string   `json:"name"`
	Physical          string   `json:"physical"`
}

func mac(r *rand.Rand) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", r.IntN(256)&0xfe, r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
}

// makeNICs gives one to three interfaces; some share an address, some have
// none, as VPN adapters and container bridges do. Container hosts have
// many more (containerHostNICs).
func makeNICs(r *rand.Rand, mt string) []nicDoc {
	gw := fmt.Sprintf("10.%d.%d.1", r.IntN(256), r.IntN(256))
	gwMac := mac(r)
	ip := fmt.Sprintf("%s.%d", gw[:len(gw)-2], 2+r.IntN(250))
	eth := nicDoc{GatewayIP: &gw, GatewayMacAddress: &gwMac, ID: strconv.FormatUint(r.Uint64()%1e18+1e18, 10),
		Inet: []string{ip}, Inet6: []string{fmt.Sprintf("fe80::%x:%x:%x:%x", r.IntN(65536), r.IntN(65536), r.IntN(65536), r.IntN(65536))},
		Name: "Ethernet", Physical: mac(r)}
	nics := []nicDoc{eth}
	switch {
	case mt == "laptop" && r.IntN(2) == 0:
		wifi := nicDoc{ID: strconv.FormatUint(r.Uint64()%1e18+1e18, 10), Inet: []string{fmt.Sprintf("192.168.%d.%d", r.IntN(256), 2+r.IntN(250))},
			Inet6: []string{}, Name: "Wi-Fi", Physical: mac(r)}
		vpn := nicDoc{ID: strconv.FormatUint(r.Uint64()%1e18+1e18, 10), Inet: []string{ip}, Inet6: nil, Name: "VPN", Physical: ""}
		nics = append(nics, wifi, vpn)
	case mt == "kubernetes node" || mt == "server" && r.IntN(3) == 0:
		nics = append(nics, nicDoc{ID: strconv.FormatUint(r.Uint64()%1e18+1e18, 10), Inet: []string{"172.17.0.1"}, Inet6: []string{}, Name: "docker0", Physical: mac(r)})
	}
	if mt == "kubernetes node" || mt == "server" && r.IntN(20) == 0 {
		nics = append(nics, containerHostNICs(r)...)
	}
	return nics
}

// containerHostNICs are a Kubernetes node's or container host's extra
// interfaces, as consoles report them: a bridge holding a few addresses,
// an overlay, and 8 to 60 veth pairs, each with a link-local IPv6 address
// and most without IPv4 — tens of interfaces and addresses on one agent.
func containerHostNICs(r *rand.Rand) []nicDoc {
	pod := fmt.Sprintf("10.%d.%d", 42+r.IntN(200), r.IntN(256))
	bridge := nicDoc{ID: strconv.FormatUint(r.Uint64()%1e18+1e18, 10), Name: "cni0", Physical: mac(r),
		Inet: []string{pod + ".1", pod + ".129", pod + ".193"}, Inet6: []string{fmt.Sprintf("fe80::%x:%x", r.IntN(65536), r.IntN(65536))}}
	overlay := nicDoc{ID: strconv.FormatUint(r.Uint64()%1e18+1e18, 10), Name: "flannel.1", Physical: mac(r),
		Inet: []string{pod + ".0"}, Inet6: []string{}}
	nics := []nicDoc{bridge, overlay}
	for v := range 8 + r.IntN(53) {
		n := nicDoc{ID: strconv.FormatUint(r.Uint64()%1e18+1e18, 10), Name: fmt.Sprintf("veth%08x", r.Uint32()), Physical: mac(r),
			Inet: []string{}, Inet6: []string{fmt.Sprintf("fe80::%x:%x:%x:%x", r.IntN(65536), r.IntN(65536), r.IntN(65536), r.IntN(65536))}}
		if v%4 == 0 { // host-network pods show the node's pod addresses again
			n.Inet = []string{pod + ".1", fmt.Sprintf("%s.%d", pod, 2+v)}
		}
		nics = append(nics, n)
	}
	return nics
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

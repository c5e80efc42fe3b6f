package emulator

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// The Unified Alerts schema, as far as collectors use it (purple-mcp's
// models, Elastic's and Microsoft's queries). Epoch milliseconds exceed
// GraphQL's 32-bit Int, hence the Long scalar.
const alertsSDL = `
scalar Long

type Query {
  alerts(first: Int, after: String, filters: [FilterInput!], sort: SortInput%s): AlertConnection!
}

enum ViewType { ALL ASSIGNED_TO_ME UNASSIGNED MY_TEAM }
enum SortOrder { ASC DESC }
enum ScopeType { GLOBAL ACCOUNT SITE GROUP }

input ScopeSelectorInput { scopeIds: [String!]! scopeType: ScopeType! }

input SortInput { by: String! order: SortOrder }

input FilterInput {
  fieldId: String!
  isNegated: Boolean
  stringEqual: StringEqualInput
  stringIn: StringInInput
  intRange: IntRangeInput
  dateTimeRange: DateTimeRangeInput
  booleanEqual: BooleanEqualInput
  fullText: FullTextInput
}
input StringEqualInput { value: String! }
input StringInInput { values: [String!]! }
input IntRangeInput { start: Long startInclusive: Boolean end: Long endInclusive: Boolean }
input DateTimeRangeInput { start: Long startInclusive: Boolean end: Long endInclusive: Boolean }
input BooleanEqualInput { value: Boolean! }
input FullTextInput { values: [String!]! }

type AlertConnection { totalCount: Int! pageInfo: PageInfo! edges: [AlertEdge!]! }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
type AlertEdge { cursor: String! node: Alert! }

type Alert {
%s}

type DetectionSource { product: String vendor: String }
type Analytics { category: String name: String typeValue: String uid: String }
type Asset {
  id: String name: String agentUuid: String agentVersion: String category: String subcategory: String
  osType: String osVersion: String status: String role: String accessible: Boolean connectivityToConsole: String
  decommissioned: Boolean lastLoggedInUser: String origin: String pendingReboot: Boolean policy: String
  assetTypeClassifier: String
}
type Assignee { userId: String email: String fullName: String }
type Process { cmdLine: String parentName: String file: ProcessFile }
type ProcessFile { name: String path: String md5: String sha1: String sha256: String certSubject: String }
type DetectionTime { scope: DetectionScope attacker: Attacker targetUser: TargetUser assets: [DetectionAsset!] }
type DetectionScope { accountId: String accountName: String siteName: String groupName: String }
type Attacker { host: String ip: String }
type TargetUser { name: String domain: String emailAddress: String }
type DetectionAsset { accessible: Boolean origin: String scope: DetectionScope asset: AssetDetails cloud: CloudDetails kubernetes: KubernetesDetails }
type AssetDetails { ipV4: String ipV6: String domain: String osName: String osType: String agentVersion: String }
type CloudDetails { accountId: String provider: String region: String instanceId: String }
type KubernetesDetails {
  clusterName: String containerId: String containerImageName: String containerLabels: [String!] containerName: String
  controllerLabels: [String!] controllerName: String controllerType: String namespaceLabels: [String!]
  namespaceName: String nodeLabels: [String!] nodeName: String podLabels: [String!] podName: String
}
type RealTime { scope: RealTimeScope }
type RealTimeScope { account: NamedRef site: NamedRef group: NamedRef }
type NamedRef { id: String name: String }
type AIInvestigation { purpleAiStatus: String status: String verdict: String }
type SLODetails { timeToResolveData: SLOData timeToResponseData: SLOData }
type SLOData { actionComplete: Boolean actionDue: Int completion: Int completionTime: String status: String target: Int targetTime: String }
`

// alertFields are the Alert type's fields; a console may lack some of them
// (GraphQLRejects), as older ones lack dataSources.
var alertFields = [][2]string{
	{"id", "ID!"}, {"externalId", "String"}, {"name", "String"}, {"description", "String"}, {"severity", "String"},
	{"status", "String"}, {"analystVerdict", "String"}, {"classification", "String"}, {"confidenceLevel", "String"},
	{"createdAt", "String"}, {"updatedAt", "String"}, {"detectedAt", "String"}, {"firstSeenAt", "String"},
	{"lastSeenAt", "String"}, {"storylineId", "String"}, {"ticketId", "String"}, {"noteExists", "Boolean"},
	{"result", "String"}, {"attackSurfaces", "[String!]"}, {"dataSources", "[String!]"}, {"exclusionHash", "String"},
	{"availableActionIds", "[String!]"}, {"detectionSource", "DetectionSource"}, {"analytics", "Analytics"},
	{"assets", "[Asset!]"}, {"assignee", "Assignee"}, {"process", "Process"}, {"detectionTime", "DetectionTime"},
	{"realTime", "RealTime"}, {"aiInvestigation", "AIInvestigation"}, {"sloDetails", "SLODetails"},
}

// loadAlertsSchema builds the schema without the fields and arguments the
// console rejects: an Alert field by name ("dataSources"), a field of
// another type as "Type.field" ("DetectionTime.attacker"), or the alerts
// arguments viewType and scope.
func loadAlertsSchema(rejects []string) (*ast.Schema, error) {
	var fields strings.Builder
	for _, f := range alertFields {
		if !slices.Contains(rejects, f[0]) {
			fmt.Fprintf(&fields, "  %s: %s\n", f[0], f[1])
		}
	}
	var args string
	for _, a := range [][2]string{{"viewType", "ViewType"}, {"scope", "ScopeSelectorInput"}} {
		if !slices.Contains(rejects, a[0]) {
			args += ", " + a[0] + ": " + a[1]
		}
	}
	sdl := fmt.Sprintf(alertsSDL, args, fields.String())
	for _, r := range rejects {
		typ, field, ok := strings.Cut(r, ".")
		if !ok {
			continue
		}
		block := regexp.MustCompile(`(?s)type ` + regexp.QuoteMeta(typ) + ` \{.*?\}`)
		sdl = block.ReplaceAllStringFunc(sdl, func(b string) string {
			return regexp.MustCompile(`\b`+regexp.QuoteMeta(field)+`: \[?[A-Za-z]+!?\]?!?`).ReplaceAllString(b, "")
		})
	}
	return gqlparser.LoadSchema(&ast.Source{Name: "unifiedalerts.graphql", Input: sdl})
}

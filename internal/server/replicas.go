package server

import (
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"s1collector/internal/lease"
)

// Cluster is what the server shows of replicas sharing the streams;
// *lease.Manager is one.
type Cluster interface {
	Snapshot() lease.Snapshot
}

// ReplicaStatus is a live replica and how many streams it holds.
type ReplicaStatus struct {
	lease.Replica
	Streams int  `json:"streams"`
	This    bool `json:"this"`
}

// StoreStatus is the shared state's health, as this replica sees it.
type StoreStatus struct {
	Error string    `json:"error"`
	Since time.Time `json:"since"`
}

// Stream states of a replica sharing the streams.
const (
	stateElsewhere  = "elsewhere"  // another replica holds the stream
	stateUnassigned = "unassigned" // no replica holds it right now
)

// addCluster fills in the replicas, who holds each stream and the shared
// state's health. A stream held elsewhere does not make this replica
// unready (a replica holding nothing is ready); an unreachable shared
// state does.
func addCluster(st *Status, snap lease.Snapshot, redact func(string) string) {
	me := snap.Replica
	st.Replica = &me
	for i := range st.Sources {
		src := &st.Sources[i]
		for j := range src.Streams {
			key := src.Name + "/" + src.Streams[j].Stream
			if !streamOwner(&src.Streams[j], key, snap) {
				st.Reasons = slices.DeleteFunc(st.Reasons, func(r string) bool { return strings.HasPrefix(r, key+": ") })
			}
		}
	}
	counts := map[string]int{}
	for _, owner := range snap.Owners {
		counts[owner]++
	}
	for _, r := range snap.Replicas {
		st.Replicas = append(st.Replicas, ReplicaStatus{Replica: r, Streams: counts[r.ID], This: r.ID == me.ID})
	}
	if !slices.ContainsFunc(st.Replicas, func(r ReplicaStatus) bool { return r.This }) {
		st.Replicas = append(st.Replicas, ReplicaStatus{Replica: me, Streams: counts[me.ID], This: true})
	}
	if snap.StoreError != "" {
		st.StateStore = &StoreStatus{Error: redact(snap.StoreError), Since: snap.StoreErrorSince}
		st.Reasons = append(st.Reasons, "shared state (PostgreSQL) unreachable: "+redact(snap.StoreError))
	}
	st.Ready = len(st.Reasons) == 0
}

// streamOwner records who holds a stream, and marks one held by another
// replica, or by none; here reports whether this replica holds it.
func streamOwner(s *StreamStatus, key string, snap lease.Snapshot) (here bool) {
	s.Owner = snap.Owners[key]
	switch s.Owner {
	case snap.Replica.ID:
		return true
	case "":
		s.State = stateUnassigned
	default:
		s.State = stateElsewhere
	}
	s.Progress, s.Fix = "", ""
	s.Quiet, s.QuietAfter = false, 0 // its holder tells, knowing how its cycles go
	return false
}

// registerer labels every metric with the replica when replicas share the
// streams, so one Prometheus can tell them apart and sum over them.
func registerer(reg *prometheus.Registry, cluster Cluster) prometheus.Registerer {
	if cluster == nil {
		return reg
	}
	return prometheus.WrapRegistererWith(prometheus.Labels{"replica": cluster.Snapshot().Replica.ID}, reg)
}

var clusterDescs = map[string]*prometheus.Desc{
	"held":    prometheus.NewDesc("s1collector_stream_held", "1 when this replica holds the stream's lease.", labelsStream, nil),
	"live":    prometheus.NewDesc("s1collector_replicas_live", "Replicas sharing the streams, as of this replica's last lease round.", nil, nil),
	"changes": prometheus.NewDesc("s1collector_lease_changes_total", "Leases this replica took, lost to another or released.", []string{"change"}, nil),
	"up":      prometheus.NewDesc("s1collector_state_store_up", "1 when the last lease round reached PostgreSQL.", nil, nil),
}

func collectCluster(snap lease.Snapshot, ch chan<- prometheus.Metric) {
	g := func(name string, t prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(clusterDescs[name], t, v, labels...)
	}
	for key, owner := range snap.Owners {
		source, stream, _ := strings.Cut(key, "/")
		held := 0.0
		if owner == snap.Replica.ID {
			held = 1
		}
		g("held", prometheus.GaugeValue, held, source, stream)
	}
	g("live", prometheus.GaugeValue, float64(len(snap.Replicas)))
	g("changes", prometheus.CounterValue, float64(snap.Taken), "taken")
	g("changes", prometheus.CounterValue, float64(snap.Lost), "lost")
	g("changes", prometheus.CounterValue, float64(snap.Released), "released")
	up := 1.0
	if snap.StoreError != "" {
		up = 0
	}
	g("up", prometheus.GaugeValue, up)
}

// sharedState is a stream's state, or elsewhere/unassigned when replicas
// share the streams and this one does not hold it.
func sharedState(snap *lease.Snapshot, key, state string) string {
	if snap == nil {
		return state
	}
	var s StreamStatus
	if !streamOwner(&s, key, *snap) {
		return s.State
	}
	return state
}

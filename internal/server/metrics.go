package server

import (
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"s1collector/internal/lease"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
)

// metrics is a Prometheus collector that reads the streams' status, the API
// clients' counters and the tokens at scrape time.
type metrics struct {
	srv *Server
}

var (
	labelsStream = []string{"source", "stream"}
	descs        = map[string]*prometheus.Desc{
		"read":      prometheus.NewDesc("s1collector_records_read_total", "Records read from the console.", labelsStream, nil),
		"delivered": prometheus.NewDesc("s1collector_events_delivered_total", "Events accepted by every output of the stream.", labelsStream, nil),
		"pages":     prometheus.NewDesc("s1collector_pages_total", "Pages read from the console.", labelsStream, nil),
		"odd":       prometheus.NewDesc("s1collector_records_odd_total", "Records delivered with fields of unexpected types or an unreadable time.", labelsStream, nil),
		"skipped":   prometheus.NewDesc("s1collector_records_skipped_total", "Records that could not be delivered: not a JSON object, or no id.", labelsStream, nil),
		"cycles":    prometheus.NewDesc("s1collector_cycles_total", "Cycles by result.", append(labelsStream, "result"), nil),
		"lag":       prometheus.NewDesc("s1collector_lag_seconds", "How far the delivered data trails the console: the last successful cycle's catch-up time plus delay, growing once the next cycle is overdue.", labelsStream, nil),
		"success":   prometheus.NewDesc("s1collector_last_success_timestamp_seconds", "When the last successful cycle ended.", labelsStream, nil),
		"ckptAge":   prometheus.NewDesc("s1collector_checkpoint_age_seconds", "Time since the checkpoint was last saved.", labelsStream, nil),
		"inFlight":  prometheus.NewDesc("s1collector_batch_in_flight_events", "Events of the batch being delivered.", labelsStream, nil),
		"state":     prometheus.NewDesc("s1collector_stream_state", "1 for the stream's current state.", append(labelsStream, "state"), nil),
		"quiet": prometheus.NewDesc("s1collector_stream_quiet", "1 when the stream, succeeding, has delivered nothing for longer than usual "+
			"(3 intervals at least) while a day earlier, in the same hour, it delivered events.", labelsStream, nil),
		"outErrors": prometheus.NewDesc("s1collector_output_errors_total", "Deliveries an output refused or failed.", append(labelsStream, "output"), nil),
		"requests":  prometheus.NewDesc("s1collector_api_requests_total", "Requests to the console by endpoint and status class.", []string{"source", "endpoint", "code"}, nil),
		"retries":   prometheus.NewDesc("s1collector_api_retries_total", "Requests to the console repeated after a transient failure.", []string{"source", "endpoint"}, nil),
		"throttled": prometheus.NewDesc("s1collector_api_throttled_total", "429 answers from the console.", []string{"source", "endpoint"}, nil),
		"clockSkew": prometheus.NewDesc("s1collector_console_clock_skew_seconds", "How far the console's clock is ahead of this host's (negative: behind), from the Date of its answers.", []string{"source"}, nil),
		"token":     prometheus.NewDesc("s1collector_token_expiry_seconds", "Seconds until the source's API token expires.", []string{"source"}, nil),
		"build":     prometheus.NewDesc("s1collector_build_info", "The collector's version.", []string{"version", "goversion"}, nil),
		"started":   prometheus.NewDesc("s1collector_start_time_seconds", "When the collector started.", nil, nil),
	}
)

func (m metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range descs {
		ch <- d
	}
	for _, d := range clusterDescs {
		ch <- d
	}
}

func (m metrics) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	s := m.srv.shown()
	c := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(descs[name], prometheus.CounterValue, v, labels...)
	}
	g := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(descs[name], prometheus.GaugeValue, v, labels...)
	}
	var snap *lease.Snapshot
	if s.Cluster != nil {
		sn := s.Cluster.Snapshot()
		snap = &sn
		collectCluster(sn, ch)
	}
	g("build", 1, s.Version, runtime.Version())
	g("started", float64(m.srv.started.Unix()))
	for _, src := range m.srv.Status().Sources {
		for _, st := range src.Streams {
			quiet := 0.0
			if st.Quiet {
				quiet = 1
			}
			g("quiet", quiet, src.Name, st.Stream)
		}
	}
	for _, src := range s.Sources {
		for _, st := range src.Streams {
			v := st.Status.Snapshot()
			l := []string{src.Name, v.Stream}
			c("read", float64(v.Read), l...)
			c("delivered", float64(v.Delivered), l...)
			c("pages", float64(v.Pages), l...)
			c("odd", float64(v.Odd), l...)
			c("skipped", float64(v.Skipped), l...)
			c("cycles", float64(v.Cycles-v.FailedCycles-v.DisabledCycles), append(l, "ok")...)
			c("cycles", float64(v.FailedCycles), append(l, "failed")...)
			if v.DisabledCycles > 0 {
				c("cycles", float64(v.DisabledCycles), append(l, "disabled")...)
			}
			g("inFlight", float64(v.InFlight), l...)
			g("state", 1, append(l, sharedState(snap, src.Name+"/"+v.Stream, streamState(v)))...)
			if lag, ok := v.Lag(now, st.Interval, st.Delay); ok && v.Phase != pipeline.PhaseDisabled {
				g("lag", lag.Seconds(), l...)
			}
			if !v.LastSuccess.IsZero() {
				g("success", float64(v.LastSuccess.UnixMilli())/1000, l...)
			}
			if !v.CheckpointSaved.IsZero() {
				g("ckptAge", now.Sub(v.CheckpointSaved).Seconds(), l...)
			}
			for out, n := range v.OutputFailures {
				c("outErrors", float64(n), append(l, out)...)
			}
		}
		m.collectClient(src.Name, s.Clients[src.Name], c)
		if cl := s.Clients[src.Name]; cl != nil {
			if offset, _, ok := cl.ClockSkew(); ok {
				g("clockSkew", offset.Seconds(), src.Name)
			}
		}
	}
	for name, tk := range s.Tokens.Snapshot() {
		if !tk.ExpiresAt.IsZero() {
			g("token", tk.ExpiresAt.Sub(now).Seconds(), name)
		}
	}
}

func (m metrics) collectClient(source string, cl *sentinelone.Client, c func(string, float64, ...string)) {
	if cl == nil {
		return
	}
	byStatus, retries := cl.Stats().ByEndpoint()
	for k, n := range byStatus {
		c("requests", float64(n), source, k.Endpoint, k.Class)
		if k.Class == "429" {
			c("throttled", float64(n), source, k.Endpoint)
		}
	}
	for ep, n := range retries {
		c("retries", float64(n), source, ep)
	}
}

// Package sekoia delivers to Sekoia.io: devices to an asset connector, and
// events to an HTTP intake.
package sekoia

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/output/httpout"
)

// AssetsConfig configures the asset connector output.
type AssetsConfig struct {
	BaseURL       string // default https://api.sekoia.io
	ConnectorUUID string
	APIKey        string
	BatchSize     int // items per request; default and max 1000
	// TaskTimeout bounds the wait for the ingestion task of a push; one
	// still running by then counts as accepted. Default 5m, as the SDK.
	TaskTimeout time.Duration
}

// Validate reports what cannot work.
func (c AssetsConfig) Validate() error {
	var errs []error
	if c.ConnectorUUID == "" {
		errs = append(errs, errors.New("connector_uuid: is required"))
	}
	if c.APIKey == "" {
		errs = append(errs, errors.New("api_key: is required"))
	}
	if c.BatchSize < 0 || c.BatchSize > 1000 {
		errs = append(errs, fmt.Errorf("batch_size: %d is outside 1–1000", c.BatchSize))
	}
	if c.TaskTimeout < 0 {
		errs = append(errs, errors.New("task_timeout: must not be negative"))
	}
	return errors.Join(errs...)
}

// Assets posts devices to POST {base}/api/v2/asset-management/asset-connector/{uuid}
// as {"version":1,"items":[…]} with a Bearer key, items as the SDK sends
// them, and waits until the platform has ingested each push.
type Assets struct {
	name     string
	cfg      AssetsConfig
	client   *http.Client
	log      *slog.Logger
	url      string
	base     string
	progress httpout.Progress
	// The task polls: every pollFirst for the first 2 s, then backing off
	// to pollMax.
	pollFirst, pollMax time.Duration
	cannotFollow       sync.Once // warns once that tasks cannot be read
}

// NewAssets returns the output.
func NewAssets(name string, cfg AssetsConfig, client *http.Client, log *slog.Logger) (*Assets, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sekoia_assets output %s: %w", name, err)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.sekoia.io"
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 1000
	}
	if cfg.TaskTimeout == 0 {
		cfg.TaskTimeout = 5 * time.Minute
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	return &Assets{name: name, cfg: cfg, client: client, log: log, base: base,
		url:       base + "/api/v2/asset-management/asset-connector/" + cfg.ConnectorUUID,
		pollFirst: 250 * time.Millisecond, pollMax: 5 * time.Second}, nil
}

// Name is the output's configured name.
func (o *Assets) Name() string { return o.name }

// MappingVersion names how the output maps devices: a stream whose
// checkpoint holds another sends every device again once.
func (o *Assets) MappingVersion() string { return "sekoia_assets/" + MappingVersion }

func (o *Assets) header() http.Header {
	return http.Header{"Authorization": {"Bearer " + o.cfg.APIKey}, "Content-Type": {"application/json"},
		"User-Agent": {"s1collector-asset-connector-" + o.cfg.ConnectorUUID}}
}

// Deliver posts the devices in requests of at most BatchSize items, each
// accepted once the platform's ingestion task for it finished. Removal
// notices are not devices: the connector holds an inventory, and they are
// skipped.
func (o *Assets) Deliver(ctx context.Context, b delivery.Batch) error {
	items := o.items(b)
	chunks := httpout.Chunks(make([]int, len(items)), o.cfg.BatchSize, 0, 0)
	return o.progress.Send(b, len(chunks), func(i int) error {
		resp, err := httpout.Post(ctx, o.client, o.url, o.header(), assetBody(items[chunks[i][0]:chunks[i][1]]))
		if err != nil {
			return err
		}
		return o.ingested(ctx, resp)
	})
}

// items maps the batch's devices to asset items. A device that cannot be
// one (no uid) is reported and left out: the API would refuse the push.
func (o *Assets) items(b delivery.Batch) [][]byte {
	out := make([][]byte, 0, len(b.Events))
	var byID []string
	for _, e := range b.Events {
		if e.Removal {
			continue
		}
		fallback := e.Time
		if fallback.IsZero() {
			fallback = time.Now()
		}
		it, fromID, err := item(e.Body, fallback)
		if err != nil {
			o.log.Warn("device cannot be an asset item: skipped", "stream", b.Stream, "id", e.ID, "error", err)
			continue
		}
		if fromID {
			byID = append(byID, e.ID)
		}
		out = append(out, it)
	}
	if len(byID) > 0 {
		o.log.Warn("devices without a computer name: their id is sent as hostname", "count", len(byID), "ids", strings.Join(byID[:min(len(byID), 10)], ","))
	}
	return out
}

func assetBody(items [][]byte) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"version":1,"items":[`)
	buf.Write(bytes.Join(items, []byte(",")))
	buf.WriteString("]}")
	return buf.Bytes()
}

// Check posts an empty asset list: the key and the connector are checked
// and no device is sent.
func (o *Assets) Check(ctx context.Context) error {
	_, err := httpout.Post(ctx, o.client, o.url, o.header(), []byte(`{"version":1,"items":[]}`))
	var pe *httpout.PeerError
	if errors.As(err, &pe) {
		switch pe.Status {
		case http.StatusUnauthorized:
			return fmt.Errorf("api_key refused: %w", err)
		case http.StatusForbidden:
			return fmt.Errorf("api_key may not push to this asset connector (its role lacks the permission): %w", err)
		case http.StatusNotFound:
			return fmt.Errorf("no asset connector %s: check connector_uuid (and base_url for your region): %w", o.cfg.ConnectorUUID, err)
		}
	}
	return err
}

// Close has nothing to release.
func (o *Assets) Close() error { return nil }

// Package sekoia delivers to Sekoia.io: devices to an asset connector, and
// events to an HTTP intake.
package sekoia

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"s1collector/internal/delivery"
	"s1collector/internal/output/httpout"
)

// AssetsConfig configures the asset connector output.
type AssetsConfig struct {
	BaseURL       string // default https://api.sekoia.io
	ConnectorUUID string
	APIKey        string
	BatchSize     int // items per request; default and max 1000
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
	return errors.Join(errs...)
}

// Assets posts devices to POST {base}/api/v2/asset-management/asset-connector/{uuid}
// as {"version":1,"items":[…]} with a Bearer key.
type Assets struct {
	name     string
	cfg      AssetsConfig
	client   *http.Client
	url      string
	progress httpout.Progress
}

// NewAssets returns the output.
func NewAssets(name string, cfg AssetsConfig, client *http.Client) (*Assets, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sekoia_assets output %s: %w", name, err)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.sekoia.io"
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 1000
	}
	url := strings.TrimRight(cfg.BaseURL, "/") + "/api/v2/asset-management/asset-connector/" + cfg.ConnectorUUID
	return &Assets{name: name, cfg: cfg, client: client, url: url}, nil
}

// Name is the output's configured name.
func (o *Assets) Name() string { return o.name }

func (o *Assets) header() http.Header {
	return http.Header{"Authorization": {"Bearer " + o.cfg.APIKey}, "Content-Type": {"application/json"},
		"User-Agent": {"s1collector-asset-connector-" + o.cfg.ConnectorUUID}}
}

// Deliver posts the devices in requests of at most BatchSize items.
// Removal notices are not devices: the connector holds an inventory, and
// they are skipped.
func (o *Assets) Deliver(ctx context.Context, b delivery.Batch) error {
	b.Events = slices.DeleteFunc(slices.Clone(b.Events), func(e delivery.Event) bool { return e.Removal })
	if len(b.Events) == 0 {
		return nil
	}
	chunks := httpout.Chunks(make([]int, len(b.Events)), o.cfg.BatchSize, 0, 0)
	return o.progress.Send(b, len(chunks), func(i int) error {
		_, err := httpout.Post(ctx, o.client, o.url, o.header(), assetBody(b.Events[chunks[i][0]:chunks[i][1]]))
		return err
	})
}

func assetBody(events []delivery.Event) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"version":1,"items":[`)
	for i, e := range events {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(e.Body)
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// Check posts an empty asset list: the key and connector are checked and no
// device is sent.
func (o *Assets) Check(ctx context.Context) error {
	_, err := httpout.Post(ctx, o.client, o.url, o.header(), []byte(`{"version":1,"items":[]}`))
	return err
}

// Close has nothing to release.
func (o *Assets) Close() error { return nil }

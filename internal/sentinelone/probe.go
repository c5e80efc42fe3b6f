package sentinelone

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// SystemInfo is GET /system/info: the console's version. It needs a valid
// token but no permission, so it tells token problems from RBAC problems.
type SystemInfo struct {
	Release            string `json:"release"`
	Version            string `json:"version"`
	Build              string `json:"build"`
	Patch              string `json:"patch"`
	LatestAgentVersion string `json:"latestAgentVersion"`
}

// SystemInfo fetches the console's version.
func (c *Client) SystemInfo(ctx context.Context) (SystemInfo, error) {
	var v SystemInfo
	err := c.getData(ctx, request{method: http.MethodGet, endpoint: "system/info"}, &v)
	return v, err
}

// TokenDetails is the token's validity window.
type TokenDetails struct {
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TokenDetails asks the console when the client's token expires
// (POST /users/api-token-details, no permission needed).
func (c *Client) TokenDetails(ctx context.Context) (TokenDetails, error) {
	var raw struct {
		CreatedAt string `json:"createdAt"`
		ExpiresAt string `json:"expiresAt"`
	}
	body := map[string]any{"data": map[string]string{"apiToken": c.cfg.Token}}
	req := request{method: http.MethodPost, endpoint: "users/api-token-details", body: body}
	if err := c.getData(ctx, req, &raw); err != nil {
		return TokenDetails{}, err
	}
	var d TokenDetails
	var err error
	if d.ExpiresAt, err = ParseTime(raw.ExpiresAt); err != nil {
		return TokenDetails{}, fmt.Errorf("users/api-token-details: expiresAt: %w", err)
	}
	d.CreatedAt, _ = ParseTime(raw.CreatedAt)
	return d, nil
}

// Probe reads one record of endpoint, within scope (siteIds, accountIds:
// the source's), to prove the token may read it as the stream will. It
// returns the console's total when reported.
func (c *Client) Probe(ctx context.Context, endpoint Endpoint, scope url.Values) (*int64, error) {
	if endpoint == Alerts {
		vars, err := alertVariables(scope)
		if err != nil {
			return nil, &APIError{Kind: KindValidation, Endpoint: string(Alerts), Err: err}
		}
		vars["sort"] = map[string]any{"by": "updatedAt", "order": "DESC"}
		ans, err := c.alertsPage(ctx, vars, 1)
		if err != nil {
			return nil, err
		}
		return ans.Data.Alerts.TotalCount.Ptr(), nil
	}
	q := url.Values{"limit": {"1"}}
	for k, v := range scope {
		q[k] = v
	}
	page, err := c.fetchPage(ctx, endpoint, q, decoding{})
	if err != nil {
		return nil, err
	}
	return page.TotalItems, nil
}

// CountAgents returns GET /agents/count for the given filters.
func (c *Client) CountAgents(ctx context.Context, filters url.Values) (int64, error) {
	var v struct {
		Total Int `json:"total"`
	}
	err := c.getData(ctx, request{method: http.MethodGet, endpoint: "agents/count", query: filters}, &v)
	return v.Total.Value, err
}

func (c *Client) getData(ctx context.Context, req request, into any) error {
	return c.do(ctx, req, func(body []byte) error {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return fmt.Errorf("decode response: %w", describeJSONError(body, err))
		}
		if err := json.Unmarshal(env.Data, into); err != nil {
			return fmt.Errorf("decode data: %w", err)
		}
		return nil
	})
}

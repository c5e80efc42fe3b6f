package sentinelone

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"s1collector/internal/httpclient"
)

// Kind classifies an API failure by what the caller should do about it.
type Kind int

// The kinds of API failure.
const (
	KindUnknown     Kind = iota
	KindAuth             // 401: the token is wrong, revoked or expired
	KindPermission       // 403: the token lacks a permission or scope
	KindValidation       // 400: the request was refused as invalid
	KindNotFound         // 404
	KindThrottled        // 429: slow down, retry later
	KindUnavailable      // 5xx, network failure, unreadable body: retry later
	KindRedirect         // 3xx: the console sent elsewhere; not followed
)

func (k Kind) String() string {
	switch k {
	case KindAuth:
		return "authentication"
	case KindPermission:
		return "permission"
	case KindValidation:
		return "validation"
	case KindNotFound:
		return "not found"
	case KindThrottled:
		return "throttled"
	case KindUnavailable:
		return "unavailable"
	case KindRedirect:
		return "redirect"
	}
	return "unknown"
}

// Retryable reports whether the same request may succeed later.
func (k Kind) Retryable() bool { return k == KindThrottled || k == KindUnavailable }

// APIError is a failed call to the console. It never contains the token.
type APIError struct {
	Kind       Kind
	Endpoint   string // path below /web/api/v2.1/, e.g. "agents"
	Status     int    // HTTP status, 0 for a network or decode failure
	Code       int    // the console's error code, e.g. 4010010
	Title      string
	Detail     string
	RetryAfter time.Duration // from Retry-After, when the console sent one
	Err        error         // the underlying network or decode error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", e.Endpoint)
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	}
	if e.Title != "" {
		fmt.Fprintf(&b, " %s", e.Title)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if e.Err != nil {
		if e.Status != 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	if hint := e.Hint(); hint != "" {
		fmt.Fprintf(&b, " — %s", hint)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

// Hint says what a person can do about the failure.
func (e *APIError) Hint() string {
	switch e.Kind {
	case KindAuth:
		return "the API token is wrong, revoked or expired: generate a new one for the service user and update the config"
	case KindPermission:
		if e.featureDisabled() {
			return "this scope does not have Custom Rules (STAR) enabled, so it has no legacy STAR alerts: remove cloud_detection_alerts from supported_apis, or enable Custom Rules; the alerts stream (Unified Alerts) carries STAR detections too"
		}
		return fmt.Sprintf("the token's role lacks the %q permission (or its scope does not cover this endpoint): grant it to the service user", Endpoint(e.Endpoint).Permission())
	}
	return ""
}

// featureDisabled: a 403 saying the scope lacks the feature the endpoint
// serves (Custom Rules for cloud-detection/alerts), not a permission.
func (e *APIError) featureDisabled() bool {
	return e.Kind == KindPermission && strings.Contains(strings.ToLower(e.Detail), "custom rules")
}

// FeatureDisabled reports whether err is the console saying the scope does
// not have the feature an endpoint serves: there is nothing to read, and
// no permission to grant.
func FeatureDisabled(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.featureDisabled()
}

// KindOf returns the Kind of err, or KindUnknown.
func KindOf(err error) Kind {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Kind
	}
	return KindUnknown
}

// errorBody is the console's error envelope, with the variants some services
// answer with.
type errorBody struct {
	Errors []struct {
		Code   Int    `json:"code"`
		Title  String `json:"title"`
		Detail String `json:"detail"`
	} `json:"errors"`
	Error   String `json:"error"`
	Message String `json:"message"`
}

// responseError builds the APIError for a non-2xx response. The body may be
// JSON, nginx HTML or plain text. The console's words are quoted with the
// token redacted (before they are cut) and control characters escaped.
func (c *Client) responseError(endpoint string, resp *http.Response, body []byte) *APIError {
	e := &APIError{Endpoint: endpoint, Status: resp.StatusCode, Kind: kindForStatus(resp.StatusCode)}
	body = []byte(c.scrub.Redact(string(body)))
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && len(eb.Errors) > 0 {
		first := eb.Errors[0]
		e.Code, e.Title, e.Detail = int(first.Code.Value), c.scrub.Excerpt(first.Title.Value, 200), c.scrub.Excerpt(first.Detail.Value, 300)
	} else if eb.Error.Value != "" || eb.Message.Value != "" {
		e.Detail = c.scrub.Excerpt(eb.Error.Value+eb.Message.Value, 300)
	} else if text := plainText(body); text != "" && e.Kind != KindThrottled {
		e.Detail = text
	}
	if e.Title == "" {
		e.Title = http.StatusText(resp.StatusCode)
	}
	e.RetryAfter = httpclient.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return e
}

func kindForStatus(status int) Kind {
	switch {
	case status == http.StatusUnauthorized:
		return KindAuth
	case status == http.StatusForbidden:
		return KindPermission
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusTooManyRequests:
		return KindThrottled
	case status == http.StatusRequestTimeout || status >= 500:
		return KindUnavailable
	}
	return KindValidation
}

// plainText reduces an HTML or text body to one short line.
func plainText(body []byte) string {
	s := string(body)
	if strings.Contains(s, "<") {
		if i := strings.Index(s, "<title>"); i >= 0 {
			if j := strings.Index(s[i:], "</title>"); j > 0 {
				return strings.TrimSpace(s[i+7 : i+j])
			}
		}
		return ""
	}
	return truncate(strings.Join(strings.Fields(s), " "), 200)
}

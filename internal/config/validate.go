package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

var (
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	idPattern   = regexp.MustCompile(`^[0-9]{15,20}$`)
)

// Validate reports every invalid or missing value, each with its path.
func (c *Config) Validate() error {
	var v validator
	c.validate(&v)
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

type validator struct{ errs Errors }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *Config) validate(v *validator) {
	c.validateState(v)
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		v.add("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if !slices.Contains([]string{"auto", "text", "json"}, c.Log.Format) {
		v.add("log.format", "%q is not auto, text or json", c.Log.Format)
	}
	c.Server.validate(v)
	outputs := map[string]bool{}
	for i, o := range c.Outputs {
		o.validate(v, fmt.Sprintf("outputs[%d]", i), outputs)
	}
	c.validateRouting(v)
	c.validateSumoFields(v)
	if len(c.Outputs) == 0 {
		v.add("outputs", "none defined: add at least one (type stdout or file)")
	}
	if len(c.Sources) == 0 {
		v.add("sources", "none defined: add a console under sources, or a Sumo Logic source file under sumo_sources")
	}
	names := map[string]bool{}
	redact := c.Scrubber()
	for i := range c.Sources {
		c.Sources[i].validate(v, sourcePath(c.Sources[i], i), outputs, names)
		if redact.Redact(c.Sources[i].BaseURL) != c.Sources[i].BaseURL {
			v.add(sourcePath(c.Sources[i], i)+".base_url", "holds a secret (a token or key): check the ${VAR} it names")
		}
	}
}

func sourcePath(s Source, i int) string {
	if s.Origin != "" {
		return s.Origin
	}
	return fmt.Sprintf("sources[%d]", i)
}

// validateName checks a name is given, well formed and unique among names.
func (v *validator) validateName(path, name, kind, why string, names map[string]bool) {
	switch {
	case name == "":
		v.add(path+".name", "is required")
	case !namePattern.MatchString(name):
		v.add(path+".name", "%q may use only letters, digits, '.', '_' and '-'%s", name, why)
	case names[name]:
		v.add(path+".name", "%q is already the name of another %s", name, kind)
	}
	names[name] = true
}

func (o Output) validate(v *validator, path string, names map[string]bool) {
	v.validateName(path, o.Name, "output", "", names)
	o.validateType(v, path)
}

func (s *Source) validate(v *validator, path string, outputs, names map[string]bool) {
	v.validateName(path, s.Name, "source", " (it names files and checkpoints)", names)
	if _, err := sentinelone.NormalizeBaseURL(s.BaseURL); err != nil {
		v.add(path+".base_url", "%s", strings.TrimPrefix(err.Error(), "base_url: "))
	}
	s.validateToken(v, path)
	s.validateAPIs(v, path)
	s.validateTimes(v, path)
	if _, err := transform.ParseProfile(s.Profile); err != nil {
		v.add(path+".profile", "%v", err)
	}
	for name, ids := range map[string][]string{"site_ids": s.SiteIDs, "account_ids": s.AccountIDs} {
		for j, id := range ids {
			if !idPattern.MatchString(id) {
				v.add(fmt.Sprintf("%s.%s[%d]", path, name, j), "%q is not a console id (15–20 digits)", id)
			}
		}
	}
	if len(s.Outputs) == 0 {
		v.add(path+".outputs", "is empty: name the outputs this source feeds")
	}
	for j, o := range s.Outputs {
		if !outputs[o] {
			v.add(fmt.Sprintf("%s.outputs[%d]", path, j), "no output is named %q", o)
		}
	}
	s.validateClient(v, path)
}

func (s *Source) validateToken(v *validator, path string) {
	switch {
	case s.Token.IsSet() && s.TokenFile != "" && s.Token.Origin() != "token_file "+s.TokenFile:
		v.add(path+".token", "give token or token_file, not both")
	case !s.Token.IsSet() && s.Token.Origin() != "":
		p := path + ".token"
		if s.TokenFile != "" {
			p = path + ".token_file"
		}
		v.add(p, "%s: put the API token in it", emptyOrigin(s.Token.Origin()))
	case !s.Token.IsSet():
		v.add(path+".token", "is required: write token: ${S1_TOKEN} and export the API token in that variable, or give token_file")
	case s.Token.Value() == placeholder:
		v.add(path+".token", "is the ******** placeholder of the example: put the API token, or ${ENV_VAR}")
	case strings.ContainsAny(s.Token.Value(), " \t\r\n"):
		v.add(path+".token", "contains white space (copied with a line break?)")
	}
}

func (s *Source) validateAPIs(v *validator, path string) {
	seen := map[string]bool{}
	for j, api := range s.SupportedAPIs {
		p := fmt.Sprintf("%s.supported_apis[%d]", path, j)
		switch {
		case !slices.Contains(APIs, api):
			v.add(p, "%q is not one of %s", api, strings.Join(APIs, ", "))
		case seen[api]:
			v.add(p, "%q is listed twice", api)
		}
		seen[api] = true
	}
}

func (s *Source) validateTimes(v *validator, path string) {
	if s.Interval < 10*time.Second {
		v.add(path+".interval", "%s is shorter than 10s; consoles rate-limit per token", fmtDuration(s.Interval))
	}
	if s.Lookback < 0 {
		v.add(path+".lookback", "must not be negative")
	}
	if s.Delay < 0 || s.Delay > 24*time.Hour {
		v.add(path+".delay", "%s is outside 0–24h", fmtDuration(s.Delay))
	}
	if o := *s.Overlap; o < 0 || o > 24*time.Hour {
		v.add(path+".overlap", "%s is outside 0–24h", fmtDuration(o))
	}
	if s.FullSync < s.Interval {
		v.add(path+".full_sync_interval", "%s is shorter than the interval %s", fmtDuration(s.FullSync), fmtDuration(s.Interval))
	}
}

func (s *Source) validateClient(v *validator, path string) {
	if s.FullSyncConcurrency < 1 || s.FullSyncConcurrency > 64 {
		v.add(path+".full_sync_concurrency", "%d is outside 1–64", s.FullSyncConcurrency)
	}
	if s.PageSize < 1 || s.PageSize > 1000 {
		v.add(path+".page_size", "%d is outside 1–1000", s.PageSize)
	}
	if s.Timeout <= 0 {
		v.add(path+".timeout", "must be positive")
	}
	for name, r := range s.RateLimits {
		p := path + ".rate_limits." + name
		if !slices.Contains([]string{"agents", "activities", "threats", "alerts", "other"}, name) {
			v.add(p, "unknown endpoint (agents, activities, threats, alerts, other)")
		}
		if r.Rate <= 0 || r.Burst < 0 {
			v.add(p, "rate must be positive and burst not negative")
		}
	}
	if s.HTTP != nil && s.HTTP.Redirects != "" && s.HTTP.Redirects != "none" {
		v.add(path+".http.redirects", "a console client follows no redirect, so the token never goes elsewhere: remove it and set base_url to the console's address")
	}
	for k := range s.Fields {
		if k == "" || strings.HasPrefix(k, "_siem") || k == "_source" || k == "_sourceCategory" {
			v.add(path+".fields."+k, "is reserved or empty")
		}
	}
}

// fmtDuration writes 48h, 5m or 1m30s rather than 48h0m0s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// validateRouting checks what sources send to each output: a Sekoia.io
// asset connector expects devices in the sekoia profile.
func (c *Config) validateRouting(v *validator) {
	known := map[string]bool{}
	for _, o := range c.Outputs {
		known[o.Name] = true
	}
	for i, s := range c.Sources {
		if slices.ContainsFunc(s.Outputs, func(n string) bool { return !known[n] }) {
			continue // already reported: routing cannot be judged
		}
		for _, api := range s.SupportedAPIs {
			if !slices.Contains(APIs, api) {
				continue
			}
			taken := false
			for _, o := range c.Outputs {
				taken = taken || slices.Contains(s.Outputs, o.Name) && o.AcceptsStream(api)
			}
			if !taken && len(s.Outputs) > 0 {
				v.add(sourcePath(s, i)+".outputs", "none of them takes %s (see their streams): add an output for it, or drop it from supported_apis", api)
			}
		}
		for _, name := range s.Outputs {
			for _, o := range c.Outputs {
				if o.Name == name && o.Type == "sekoia_assets" && slices.Contains(s.SupportedAPIs, "agents") && s.Profile != "sekoia" {
					v.add(sourcePath(s, i)+".profile", "%q, but output %s (sekoia_assets) takes the sekoia profile", s.Profile, o.Name)
				}
			}
		}
	}
}

// emptyOrigin says that where a secret was read from gave nothing.
func emptyOrigin(origin string) string {
	if strings.HasPrefix(origin, "environment variable ") {
		return origin + " is set but empty"
	}
	return origin + " is empty"
}

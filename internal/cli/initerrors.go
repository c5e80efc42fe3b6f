package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"s1collector/internal/config"
)

// flagOfPath names the init flag that wrote each place of the config.
var flagOfPath = []struct {
	path *regexp.Regexp
	flag string
}{
	{regexp.MustCompile(`^sources\[0\]\.base_url$`), "--console-url"},
	{regexp.MustCompile(`^sources\[0\]\.name$`), "--name"},
	{regexp.MustCompile(`^sources\[0\]\.profile$`), "--profile"},
	{regexp.MustCompile(`^sources\[0\]\.token_file$`), "--token-file"},
	{regexp.MustCompile(`^sources\[0\]\.token$`), "--token-env"},
	{regexp.MustCompile(`^server\.listen$`), "--listen"},
	{regexp.MustCompile(`^state\.path$|\.file\.dir$`), "--state-dir"},
	{regexp.MustCompile(`\.splunk_hec\.url$`), "--splunk-url"},
	{regexp.MustCompile(`\.webhook\.url$`), "--webhook-url"},
	{regexp.MustCompile(`\.kafka\.brokers(\[\d+\])?$`), "--kafka-brokers"},
	{regexp.MustCompile(`\.sekoia_assets\.connector_uuid$`), "--sekoia-connector-uuid"},
}

// flagErrors turns what validate refuses in the config init wrote into
// errors about the flags that wrote it. A problem no flag explains is init's
// own: said so, without the config.
func flagErrors(err error) error {
	var errs config.Errors
	if !errors.As(err, &errs) {
		return fmt.Errorf("init: %w", err)
	}
	var msgs []string
	for _, e := range errs {
		flag := ""
		for _, f := range flagOfPath {
			if f.path.MatchString(e.Path) {
				flag = f.flag
			}
		}
		if flag == "" {
			return fmt.Errorf("init wrote a config that validate refuses (a bug in init; please report it): %s: %s", e.Path, e.Msg)
		}
		msgs = append(msgs, flag+": "+e.Msg)
	}
	return errors.New(strings.Join(msgs, "\n"))
}

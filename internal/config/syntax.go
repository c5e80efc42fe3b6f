package config

import (
	"regexp"
	"strconv"
	"strings"
)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns the YAML parser's error into Errors, in the format of
// every other problem: the line, and for the usual mistake, what to do.
// The parser names tabs obscurely ("found character that cannot start any
// token") and often on the line before the one that holds the tab.
func syntaxError(err error, b []byte) Errors {
	line, msg := 0, strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if strings.Contains(msg, "tab character") || strings.Contains(msg, "cannot start any token") {
		if n := tabIndentedLine(b, line); n > 0 {
			return Errors{{Line: n, Msg: "a tab indents this line: YAML indents with spaces only; replace the tab with spaces"}}
		}
	}
	return Errors{{Line: line, Msg: "not valid YAML: " + msg}}
}

// tabIndentedLine is the first line from line−1 on (1-based) whose
// indentation holds a tab, or 0.
func tabIndentedLine(b []byte, line int) int {
	for i, l := range strings.Split(string(b), "\n") {
		if i+1 < line-1 {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") {
			return i + 1
		}
	}
	return 0
}

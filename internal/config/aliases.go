package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxAliased bounds the values a file's aliases (*name) expand to: far
// above what repeating a few blocks needs, far below what a small file of
// aliases of lists of aliases can reach (gigabytes).
const maxAliased = 10_000

// checkAliases refuses a file whose aliases expand past maxAliased values,
// before anything is decoded.
func checkAliases(root *yaml.Node) *FieldError {
	if expanded(root, maxAliased, false) <= maxAliased {
		return nil
	}
	return &FieldError{Line: 1, Path: "(file)", Msg: fmt.Sprintf(
		"its aliases (*name) expand to more than %d values: write the repeated blocks out, or use fewer levels of aliases", maxAliased)}
}

// expanded counts the nodes reached through aliases under n (inside: n
// itself was), up to just past limit.
func expanded(n *yaml.Node, limit int, inside bool) int {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 0
		}
		return expanded(n.Alias, limit, true)
	}
	count := 0
	if inside {
		count = 1
	}
	for _, c := range n.Content {
		if count > limit {
			break
		}
		count += expanded(c, limit-count, inside)
	}
	return count
}

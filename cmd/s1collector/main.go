// Command s1collector brings SentinelOne Management console data into any
// SIEM or data lake. See the README, or run "s1collector --help".
package main

import (
	"os"

	"s1collector/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}

package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"s1collector/internal/buildinfo"
)

func newVersionCmd() *cobra.Command {
	var short bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version",
		Long: `Print which build this is: the version and commit stamped by the release
build (make release), or, for "go build" and "go install", what Go recorded
from the module and git. "devel" means a build from a tree without either.`,
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			info := buildinfo.Read()
			if short {
				fmt.Fprintln(cmd.OutOrStdout(), info.Version)
				return
			}
			fmt.Fprint(cmd.OutOrStdout(), info)
		},
	}
	cmd.Flags().BoolVar(&short, "short", false, "print the version alone")
	return cmd
}

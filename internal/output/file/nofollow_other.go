//go:build !unix

package file

const oNoFollow = 0

func isLoop(error) bool { return false }

package delivery

import "errors"

// Refusal is an output's error that only the user can end, with what to
// change: the setting, by its place in the configuration
// (splunk_hec.token of output "hec"). Its text ends with " — " and the
// fix, so a log or a status page showing the error shows the fix too.
type Refusal struct {
	Err error
	Fix string
}

func (r *Refusal) Error() string { return r.Err.Error() + " — " + r.Fix }
func (r *Refusal) Unwrap() error { return r.Err }

// FixOf is the fix of the first Refusal err holds, or "".
func FixOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Fix
	}
	return ""
}

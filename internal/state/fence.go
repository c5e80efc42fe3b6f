package state

import "errors"

// ErrNotOwner is what a store shared by several replicas returns when a
// stream's write is refused because another replica has taken the stream
// over (or its checkpoint was reset): the checkpoint did not move, and the
// stream must stand down without delivering further batches.
var ErrNotOwner = errors.New("stream is owned by another replica: checkpoint write refused")

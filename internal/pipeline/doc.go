// Package pipeline turns a console's pages into delivered batches: it walks
// each stream incrementally, maps records to events, hands every batch to
// all outputs of the stream and moves the checkpoint only once all of them
// accepted it.
package pipeline

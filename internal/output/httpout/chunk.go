package httpout

import "s1collector/internal/delivery"

// Chunks splits items of the given encoded sizes into consecutive runs of
// at most maxItems (0: no limit) whose total size, counting perItem bytes
// of framing each, stays within maxBytes (0: no limit). An item too large
// for any chunk gets a chunk of its own; callers that must refuse such
// items filter them first.
func Chunks(sizes []int, maxItems, maxBytes, perItem int) [][2]int {
	var out [][2]int
	start, bytes := 0, 0
	for i, s := range sizes {
		n := i - start
		over := maxBytes > 0 && n > 0 && bytes+s+perItem > maxBytes
		full := maxItems > 0 && n >= maxItems
		if over || full {
			out = append(out, [2]int{start, i})
			start, bytes = i, 0
		}
		bytes += s + perItem
	}
	if start < len(sizes) {
		out = append(out, [2]int{start, len(sizes)})
	}
	return out
}

// Decorated encodes each event with its source metadata, and their sizes,
// for outputs that chunk by size.
func Decorated(events []delivery.Event) (docs [][]byte, sizes []int) {
	docs = make([][]byte, len(events))
	sizes = make([]int, len(events))
	for i, e := range events {
		docs[i] = e.Decorated()
		sizes[i] = len(docs[i])
	}
	return docs, sizes
}

package emulator

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// A cursor is opaque base64 of the walk's next position, the total reported
// on the first page and the filters it belongs to. Its fixed prefix makes it
// start with "+/+/" and its padding end with "==", so a client that forgets to
// URL-encode it breaks at once, as it would on a real console.
var cursorPrefix = []byte{0xFB, 0xFF, 0xBF}

type cursorState struct {
	pos   int64
	total int64
	key   uint64
}

func encodeCursor(c cursorState) string {
	b := append([]byte(nil), cursorPrefix...)
	b = append(b, 1)
	b = binary.AppendVarint(b, c.pos)
	b = binary.AppendVarint(b, c.total)
	b = binary.BigEndian.AppendUint64(b, c.key)
	for len(b)%3 != 1 {
		b = append(b, 0)
	}
	return base64.StdEncoding.EncodeToString(b)
}

var errBadCursor = errors.New("Invalid cursor value received")

func decodeCursor(s string, key uint64) (cursorState, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) < len(cursorPrefix)+1+8 || string(b[:3]) != string(cursorPrefix) || b[3] != 1 {
		return cursorState{}, errBadCursor
	}
	b = b[4:]
	var c cursorState
	var n int
	if c.pos, n = binary.Varint(b); n <= 0 {
		return cursorState{}, errBadCursor
	}
	b = b[n:]
	if c.total, n = binary.Varint(b); n <= 0 || len(b[n:]) < 8 {
		return cursorState{}, errBadCursor
	}
	c.key = binary.BigEndian.Uint64(b[n:])
	if c.key != key || c.pos < 0 {
		return cursorState{}, errBadCursor
	}
	return c, nil
}

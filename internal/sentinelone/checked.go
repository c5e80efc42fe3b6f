package sentinelone

// DecodeChecked reads one JSON object whose syntax was already checked (a
// record read whole by a jsontext decoder, as transform's Reader and page
// decoding do) into a, as UnmarshalJSONFrom would, without checking it a
// second time. b must start with the object's '{'.
func (a *Agent) DecodeChecked(b []byte) {
	_, _ = a.decodeAt(b, 0) // an object: never fails
}

package sentinelone

// DecodePageWith decodes a page as the pipeline does: with one model reused
// for every record, each handed to each as it is decoded.
func DecodePageWith(endpoint Endpoint, body []byte, each func(Record) any) (*Page, error) {
	return decoding{models: endpoint, each: each}.page(body)
}

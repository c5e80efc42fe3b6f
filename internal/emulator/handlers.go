package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

type pagination struct {
	NextCursor *string `json:"nextCursor"`
	TotalItems *int64  `json:"totalItems"`
}

type listBody struct {
	Data       any        `json:"data"`
	Pagination pagination `json:"pagination"`
}

// activitiesTotalCap is where real consoles stop counting activities.
const activitiesTotalCap = 50000

// list serves agents, activities and threats.
func (e *Emulator) list(w http.ResponseWriter, r *http.Request, c *call) {
	q, err := parseQuery(c.endpoint, r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, 4000010, "Validation Error", err.Error())
		return
	}
	hits, next, total, err := e.selectPage(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, 4000010, "Validation Error", err.Error())
		return
	}
	body := listBody{Data: e.render(c, hits), Pagination: pagination{TotalItems: total}}
	if next != "" {
		body.Pagination.NextCursor = &next
	}
	if q.cursor != "" && e.draw(c.fault.RepeatCursor) {
		e.inject("repeat-cursor")
		body.Pagination.NextCursor = &q.cursor
	}
	e.writePage(w, c, body)
}

// selectPage runs the query under the lock and returns the page's records,
// the next cursor ("" at the end) and the total (nil with skipCount).
func (e *Emulator) selectPage(q *query) ([]hit, string, *int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.world.advanceTo(micros(e.clock.now()))
	k := e.world.newWalk(q)
	var st cursorState
	if q.cursor != "" {
		var err error
		if st, err = decodeCursor(q.cursor, q.key); err != nil {
			return nil, "", nil, err
		}
	} else {
		st = cursorState{pos: int64(k.start()), total: -1, key: q.key}
		if !q.skipCount {
			st.total = k.count()
			if q.endpoint == "activities" {
				st.total = min(st.total, activitiesTotalCap)
			}
		}
		st.pos = int64(k.skip(int(st.pos), q.skip))
	}
	var total *int64
	if st.total >= 0 {
		total = &st.total
	}
	if q.countOnly || st.pos < 0 {
		return nil, "", total, nil
	}
	hits, next := k.page(int(st.pos), q.limit)
	if next < 0 {
		return hits, "", total, nil
	}
	st.pos = int64(next)
	return hits, encodeCursor(st), total, nil
}

// render builds the documents of a page outside the lock.
func (e *Emulator) render(c *call, hits []hit) any {
	odd := func() bool { return e.draw(c.fault.OddTypes) }
	unreadable := func() bool { return e.draw(c.fault.Unreadable) }
	switch c.endpoint {
	case "activities":
		docs := make([]activityDoc, len(hits))
		for i, h := range hits {
			docs[i] = e.world.activityDocument(h.idx, h.created, h.updated, odd())
			if unreadable() {
				docs[i].ActivityType = ""
			}
		}
		return docs
	case "threats":
		docs := make([]threatDoc, len(hits))
		for i, h := range hits {
			docs[i] = e.world.threatDocument(h.idx, h.version, h.created, h.updated, odd())
			if unreadable() {
				docs[i].ThreatInfo["identifiedAt"] = []any{docs[i].ThreatInfo["identifiedAt"]}
			}
		}
		return docs
	}
	docs := make([]agentDoc, len(hits))
	for i, h := range hits {
		docs[i] = e.world.agentDocument(h.idx, h.version, h.created, h.updated, odd())
		if unreadable() {
			docs[i].ActiveThreats = ""
		}
	}
	return docs
}

// writePage writes a 200, streamed, or cut in half when the Truncate fault
// fires.
func (e *Emulator) writePage(w http.ResponseWriter, c *call, body listBody) {
	w.Header().Set("Content-Type", "application/json")
	if !e.draw(c.fault.Truncate) {
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	e.inject("truncate")
	b, err := json.Marshal(body)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 5000010, "Internal Server Error", err.Error())
		return
	}
	_, _ = w.Write(b[:len(b)/2])
}

func (e *Emulator) count(w http.ResponseWriter, r *http.Request, c *call) {
	q, err := parseQuery(c.endpoint, r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, 4000010, "Validation Error", err.Error())
		return
	}
	e.mu.Lock()
	e.world.advanceTo(micros(e.clock.now()))
	q.endpoint = "agents/count"
	n := e.world.newWalk(q).count()
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]int64{"total": n}})
}

func (e *Emulator) systemStatus(w http.ResponseWriter, _ *http.Request) {
	e.countRequest("system/status")
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"health": "ok"}})
}

func (e *Emulator) systemInfo(w http.ResponseWriter, _ *http.Request, _ *call) {
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{
		"build": "emulator", "latestAgentVersion": agentVersions[len(agentVersions)-1],
		"patch": "0", "release": "s1collector-emulator", "version": "Z SP5",
	}})
}

func (e *Emulator) activityTypes(w http.ResponseWriter, _ *http.Request, _ *call) {
	writeJSON(w, http.StatusOK, map[string]any{"data": activityTypes})
}

func (e *Emulator) user(w http.ResponseWriter, _ *http.Request, c *call) {
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"id": "1100000000000000001", "email": "s1collector@emulator.invalid", "fullName": "s1collector emulator",
		"scope": "tenant", "scopeRoles": []any{}, "canGenerateApiToken": true,
		"apiToken": map[string]string{"createdAt": stamp(micros(c.token.CreatedAt)), "expiresAt": stamp(micros(c.token.ExpiresAt))},
	}})
}

// tokenDetails answers for the token in the body (POST) or the caller's
// token (GET /users/{id}/api-token-details).
func (e *Emulator) tokenDetails(w http.ResponseWriter, r *http.Request, c *call) {
	tok := c.token
	if r.Method == http.MethodPost {
		var body struct {
			Data struct {
				APIToken string `json:"apiToken"`
			} `json:"data"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil || body.Data.APIToken == "" {
			writeError(w, http.StatusBadRequest, 4000010, "Validation Error", "data: apiToken: Missing data for required field.")
			return
		}
		var ok bool
		if tok, ok = e.findToken(body.Data.APIToken); !ok {
			writeError(w, http.StatusBadRequest, 4000010, "Validation Error", "apiToken: Invalid API token.")
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{
		"createdAt": stamp(micros(tok.CreatedAt)), "expiresAt": stamp(micros(tok.ExpiresAt)),
	}})
}

func (e *Emulator) findToken(v string) (Token, bool) {
	for _, t := range e.cfg.Tokens {
		if t.Value == strings.TrimSpace(v) {
			return t, true
		}
	}
	return Token{}, false
}

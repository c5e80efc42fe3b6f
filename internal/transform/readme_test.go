package transform

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeListsEveryActivityType keeps the README's activity-type table
// true: each type of the table in code is listed in the row of its class
// and activity, and the README lists no type the code does not map there.
func TestReadmeListsEveryActivityType(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "<!-- activity-types -->")
	table, _, ok := strings.Cut(rest, "<!-- /activity-types -->")
	if !ok {
		t.Fatal("README has no activity-types table between its markers")
	}
	rows := map[string]string{} // "class activity" → the row's types
	var typeCells string
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !regexp.MustCompile(`^ \d`).MatchString(cells[1]) {
			continue
		}
		class := strings.Fields(cells[1])[0]
		typeCells += cells[3]
		for _, act := range regexp.MustCompile(`(\d+) [A-Z]`).FindAllStringSubmatch(cells[2], -1) {
			key := class + " " + act[1]
			if strings.Contains(cells[2], "Failure") {
				key += " failed"
			}
			rows[key] += cells[3]
		}
	}
	listed := 0
	for _, at := range ActivityTypes() {
		key := fmt.Sprintf("%d %d", at.Class, at.Activity)
		if at.Failed {
			key += " failed"
		}
		if !regexp.MustCompile(`\b` + fmt.Sprint(at.ID) + `\b`).MatchString(rows[key]) {
			t.Errorf("type %d %q (class %d, activity %d) is not in the README's row for it", at.ID, at.Name, at.Class, at.Activity)
		}
		listed++
	}
	for _, m := range regexp.MustCompile(`\b(\d+)\b`).FindAllStringSubmatch(typeCells, -1) {
		var id int64
		fmt.Sscan(m[1], &id)
		if _, ok := activityKinds[id]; !ok {
			t.Errorf("the README lists type %d, which the table does not map", id)
		}
	}
	if listed < 80 {
		t.Fatalf("only %d types", listed)
	}
}

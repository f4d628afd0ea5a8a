package store

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// ---- error handling
func ParseLimit(raw string) int {
	n, _ := strconv.Atoi(raw) // arbiter-expect: GO-ERR-001
	return n
}

func ParseLimitSafe(raw string) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("parse limit: %w", err)
	}
	return n, nil
}

func Decode(data []byte) User {
	var u User
	json.Unmarshal(data, &u) // arbiter-expect: GO-ERR-002
	return u
}

func DecodeSafe(data []byte) (User, error) {
	var u User
	if err := json.Unmarshal(data, &u); err != nil {
		return User{}, err
	}
	value, _ := lookup(map[string]int{"a": 1}, "a")
	_ = value
	return u, nil
}

func lookup(m map[string]int, k string) (int, bool) {
	v, ok := m[k]
	return v, ok
}

package webhook

import (
	"net/http"
	"strings"
)

const (
	callbackURL  = "http://hooks.acme-corp.io/notify" // arbiter-expect: GEN-NET-001
	secureURL    = "https://hooks.acme-corp.io/notify"
	metadataHost = "http://[::1]:8500/v1/kv"
)

// IsPlain reports whether the target still uses http://hooks.acme-corp.io.
func IsPlain(target string) bool {
	return strings.HasPrefix(target, "http://")
}

func newRequest(body string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, secureURL, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Basic d2ViaG9vazpwNHNzdzByZA==") // arbiter-expect: GEN-AUTH-001
	return req, nil
}

func newSignedRequest(body, credentials string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, secureURL, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Basic "+credentials)
	// HACK: skip certificate verification until the new CA is deployed // arbiter-expect: GEN-TODO-001
	return req, nil
}

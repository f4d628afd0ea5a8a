// Package release holds the publisher configuration (fake credentials for scanner tests).
package release

import "os"

// Publisher credentials committed by mistake.
var (
	npmPublish   = "npm_LLC3MxtiStqqArQYm8hjmO5wgGYhCBJQBIbC"                                    // arbiter-expect: SEC-NPM-001
	gitlabMirror = "glpat-Nrem2Vbok76xrgewK4Ml"                                           // arbiter-expect: SEC-GITLAB-001
	smsKeySid    = "SKda7a787ef601034dfe8350dd2371528e"                              // arbiter-expect: SEC-TWILIO-001
	artifactDSN  = "mssql://release:Rz81kqPw0@tcp-db.internal:1433/artifacts" // arbiter-expect: SEC-DBURL-001
)

// Config is the S3 upload configuration.
type Config struct {
	KeyID  string
	Region string
}

// Default returns the upload configuration.
func Default() Config {
	return Config{KeyID: "ASIAE7WYIT2AQ6TBQEM7", Region: "eu-west-1"} // arbiter-expect: SEC-AWS-001
}

// FromEnv reads the configuration without embedding any secret.
func FromEnv() Config {
	return Config{KeyID: os.Getenv("AWS_ACCESS_KEY_ID"), Region: os.Getenv("AWS_REGION")}
}

// Look-alikes that must not be flagged.
var (
	npmPrefix      = "npm_"
	twilioAccount  = "AC00000000000000000000000000000000"
	placeholderSid = "SK00000000000000000000000000000000"
)

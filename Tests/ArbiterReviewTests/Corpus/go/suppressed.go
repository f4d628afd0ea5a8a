package cache

import (
	"crypto/md5"
	"encoding/hex"
)

// ETag derives a cache validator; MD5 is fine here because nothing depends on collision resistance.
func ETag(body []byte) string {
	// arbiter:ignore GO-CRYPTO-001 cache validator only, not a security boundary
	sum := md5.Sum(body)
	return hex.EncodeToString(sum[:])
}

func Checksum(body []byte) string {
	sum := md5.Sum(body) // arbiter-expect: GO-CRYPTO-001
	return hex.EncodeToString(sum[:])
}

package auth

import (
	"crypto/des"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	mrand "math/rand"
	"time"
)

// ---- hashing
func HashPassword(pw string) string {
	sum := md5.Sum([]byte(pw)) // arbiter-expect: GO-CRYPTO-001
	return hex.EncodeToString(sum[:])
}

func LegacyDigest(data []byte) []byte {
	h := sha1.New() // arbiter-expect: GO-CRYPTO-001
	h.Write(data)
	return h.Sum(nil)
}

func Fingerprint(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ---- ciphers
func LegacyEncrypt(key, block []byte) ([]byte, error) {
	c, err := des.NewTripleDESCipher(key) // arbiter-expect: GO-CRYPTO-002
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(block))
	c.Encrypt(out, block)
	return out, nil
}

func Obfuscate(key, data []byte) []byte {
	c, _ := rc4.NewCipher(key) // arbiter-expect: GO-CRYPTO-002
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// ---- randomness
const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func ResetCode() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = letters[mrand.Intn(len(letters))] // arbiter-expect: GO-RAND-001
	}
	return string(b)
}

func NewSession() int64 {
	sessionID := mrand.Int63() // arbiter-expect: GO-RAND-001
	return sessionID
}

func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func NewPin() (*big.Int, error) {
	pin, err := rand.Int(rand.Reader, big.NewInt(1000000))
	return pin, err
}

func Backoff(attempt int) time.Duration {
	jitter := time.Duration(mrand.Intn(250)) * time.Millisecond
	return time.Duration(attempt)*time.Second + jitter
}

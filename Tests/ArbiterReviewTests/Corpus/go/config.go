package auth

import (
	"crypto/tls"
	"database/sql"
	"net/http"
	"os"

	"github.com/golang-jwt/jwt/v5"
)

// ---- TLS
func InsecureClient() *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // arbiter-expect: GO-TLS-001
	return &http.Client{Transport: tr}
}

func LegacyTLS() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS10} // arbiter-expect: GO-TLS-002
}

func ModernTLS() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: false}
}

// ---- secrets
const dbPassword = "Sup3rS3cret!" // arbiter-expect: GO-SECRET-001

type Config struct {
	Password string `json:"password"`
	APIKey   string `json:"api_key"`
}

func DefaultConfig() Config {
	return Config{
		Password: "correct-horse-battery", // arbiter-expect: GO-SECRET-001
		APIKey:   os.Getenv("API_KEY"),
	}
}

func Open() (*sql.DB, error) {
	return sql.Open("postgres", "postgres://app:tr0ub4dor@db.internal:5432/app?sslmode=disable") // arbiter-expect: SEC-DBURL-001
}

func OpenMySQL() (*sql.DB, error) {
	return sql.Open("mysql", "orders:Sp4rrowHawk@tcp(db.internal:3306)/orders?parseTime=true") // arbiter-expect: GO-SECRET-002
}

func OpenMySQLSafe() (*sql.DB, error) {
	return sql.Open("mysql", os.Getenv("MYSQL_USER")+":"+os.Getenv("MYSQL_PASSWORD")+"@tcp(db.internal:3306)/orders")
}

func OpenSafe() (*sql.DB, error) {
	return sql.Open("postgres", os.Getenv("DATABASE_URL"))
}

func Messages() map[string]string {
	secretPrompt := "Please enter your secret"
	return map[string]string{"password": "Password is required", "prompt": secretPrompt}
}

// ---- JWT
func UnsignedToken(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodNone, claims) // arbiter-expect: GO-JWT-001
	return t.SignedString(jwt.UnsafeAllowNoneSignatureType) // arbiter-expect: GO-JWT-001
}

func SignedToken(claims jwt.MapClaims, key []byte) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
}

// ---- cookies
func SetSession(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{
		Name:     "session",
		Value:    value,
		Secure:   false, // arbiter-expect: GO-COOKIE-001
		HttpOnly: true,
	})
}

func SetSessionSafe(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{Name: "session", Value: value, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

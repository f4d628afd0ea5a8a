package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
	"unsafe"
)

func sameUser(a, b string) bool {
	return strings.ToLower(a) == strings.ToLower(b) // arbiter-expect: GO-PERF-002
}

func sameUserSafe(a, b string) bool {
	return strings.EqualFold(a, b)
}

func label(id int) string {
	return fmt.Sprintf("%v", id) // arbiter-expect: GO-PERF-001
}

func labelSafe(id int) string {
	return fmt.Sprintf("item-%d", id)
}

func worker(jobs <-chan string) {
	for {
		select {
		case j := <-jobs:
			log.Println(j)
		case <-time.After(30 * time.Second): // arbiter-expect: GO-PERF-003
			log.Println("idle")
		}
	}
}

func workerSafe(jobs <-chan string) {
	idle := time.NewTimer(30 * time.Second)
	defer idle.Stop()
	for {
		select {
		case j := <-jobs:
			log.Println(j)
		case <-idle.C:
			return
		}
	}
}

func closeAll(paths []string) {
	for _, p := range paths { f, _ := os.Open(p); defer f.Close() } // arbiter-expect: GO-PERF-004, GO-ERR-001
}

func bytesToString(b []byte) string {
	return *(*string)(unsafe.Pointer(&b)) // arbiter-expect: GO-UNSAFE-001
}

const healthURL = "https://status.internal.example/health"

func ping() error {
	resp, err := http.Get(healthURL)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

	go http.ListenAndServe("0.0.0.0:6060", nil) // arbiter-expect: GO-NET-001, GO-NET-002

	srv := &http.Server{
		Addr:              "127.0.0.1:8080",
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
	}
	log.Fatal(srv.ListenAndServeTLS("cert.pem", "key.pem"))
}

package web

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/gin-gonic/gin"
)

const uploadRoot = "/srv/uploads"

// ---- command injection
func thumbnail(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	cmd := exec.Command("sh", "-c", "convert "+name+" -resize 64x64 thumb.png") // arbiter-expect: GO-CMDI-001
	if err := cmd.Run(); err != nil {
		http.Error(w, "failed", http.StatusInternalServerError)
	}
}

func lookupHost(w http.ResponseWriter, r *http.Request) {
	out, err := exec.Command("nslookup", r.FormValue("host")).Output() // arbiter-expect: GO-CMDI-002
	if err != nil {
		return
	}
	w.Write(out)
}

func runTool(tool string, args []string) error {
	return exec.Command(tool, args...).Run() // arbiter-expect: GO-CMDI-003
}

func thumbnailSafe(name string) error {
	clean := filepath.Base(name)
	return exec.Command("convert", clean, "-resize", "64x64", "thumb.png").Run()
}

func diskFree() ([]byte, error) {
	return exec.Command("sh", "-c", "df -h | tail -n +2").Output()
}

// ---- path traversal
func download(w http.ResponseWriter, r *http.Request) {
	path := filepath.Join(uploadRoot, r.URL.Query().Get("file")) // arbiter-expect: GO-PATH-001
	http.ServeFile(w, r, path)
}

func readNote(c *gin.Context) {
	data, err := os.ReadFile(uploadRoot + "/" + c.Param("name")) // arbiter-expect: GO-PATH-001
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	c.Data(http.StatusOK, "text/plain", data)
}

func downloadSafe(w http.ResponseWriter, r *http.Request) {
	http.ServeFile(w, r, filepath.Join(uploadRoot, filepath.Base(r.URL.Query().Get("file"))))
}

// ---- SSRF
func preview(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get(r.URL.Query().Get("url")) // arbiter-expect: GO-SSRF-001
	if err != nil {
		http.Error(w, "fetch failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func proxyStatus(c *gin.Context) {
	req, _ := http.NewRequest("GET", "http://"+c.Query("host")+"/status", nil) // arbiter-expect: GO-SSRF-001, GO-ERR-001
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}

func fetchAvatar(w http.ResponseWriter, r *http.Request) {
	avatarURL := r.FormValue("avatar")
	resp, err := http.Get(avatarURL) // arbiter-expect: GO-SSRF-002
	if err != nil {
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func mirror(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("target")
	req, err := http.NewRequest(http.MethodGet, target, nil) // arbiter-expect: GO-SSRF-002
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}

func weather(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get("https://api.weather.example/v1/today")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

package controllers

import (
	"fmt"
	"html"
	"math/rand"
	"net/url"
	"os"
	"path/filepath"
	"time"

	beego "github.com/beego/beego/v2/server/web"
)

const testFilesDir = "/srv/app/testfiles"

type ProfileController struct {
	beego.Controller
}

func (c *ProfileController) Get() {
	c.Post()
}

func (c *ProfileController) Post() {
	c.Ctx.Output.Header("Content-Type", "text/html;charset=UTF-8")
	param := c.Ctx.Input.Header("X-Profile")
	param, _ = url.QueryUnescape(param)

	bar := param
	if len(bar) > 1 {
		bar = bar[:len(bar)-1] + "Z"
	}

	c.Ctx.ResponseWriter.Header().Set("X-XSS-Protection", "0")
	c.Ctx.ResponseWriter.Write([]byte(bar)) // arbiter-expect: GO-XSS-003
	c.Ctx.WriteString(fmt.Sprintf("Profile '%s' saved", bar)) // arbiter-expect: GO-XSS-003
	c.Ctx.WriteString(c.GetString("nickname")) // arbiter-expect: GO-XSS-002
	c.Ctx.WriteString(fmt.Sprintf("Profile '%s' saved", html.EscapeString(bar)))
	c.Ctx.WriteString("Profile test executed")

	fileName := filepath.Join(testFilesDir, bar) // arbiter-expect: GO-PATH-002
	f, err := os.OpenFile(fileName, os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		f.Close()
	}
	backup, err := os.Create(testFilesDir + "/" + bar) // arbiter-expect: GO-PATH-002
	if err == nil {
		backup.Close()
	}
	cleaned := filepath.Join(testFilesDir, filepath.Base(bar))
	readme := filepath.Join(testFilesDir, "README.txt")
	_, _ = cleaned, readme
}

type RememberController struct {
	beego.Controller
}

func (c *RememberController) Post() {
	value := rand.New(rand.NewSource(time.Now().UnixNano())).Float64() // arbiter-expect: GO-RAND-002
	lucky := rand.Intn(100) // arbiter-expect: GO-RAND-002
	rememberMeKey := fmt.Sprintf("%.6f-%d", value, lucky)
	c.Ctx.SetCookie("rememberMe", rememberMeKey)
	c.Ctx.WriteString("Remember test executed")
}

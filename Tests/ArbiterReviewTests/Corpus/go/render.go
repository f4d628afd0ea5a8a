package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
)

// ---- open redirect
func afterLogin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, r.URL.Query().Get("next"), http.StatusFound) // arbiter-expect: GO-REDIRECT-001
}

func afterLogout(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login", http.StatusFound)
}

// ---- XSS
func greet(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "<h1>Hello, %s</h1>", r.URL.Query().Get("name")) // arbiter-expect: GO-XSS-002
}

func greetSafe(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "<h1>Hello, %s</h1>", html.EscapeString(r.URL.Query().Get("name")))
}

var page = template.Must(template.New("p").Parse(`<div>{{.Bio}}</div><footer>{{.Footer}}</footer>`))

type profileView struct {
	Bio    template.HTML
	Footer template.HTML
}

func profile(w http.ResponseWriter, r *http.Request) {
	view := profileView{
		Bio:    template.HTML(r.FormValue("bio")), // arbiter-expect: GO-XSS-001
		Footer: template.HTML("<small>&copy; Example</small>"),
	}
	page.Execute(w, view)
}

"""Flask views for the document portal."""
import os
from urllib.request import urlopen

import requests
from flask import Flask, Response, abort, make_response, redirect, render_template, render_template_string, request, send_file, send_from_directory, session, url_for
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from markupsafe import Markup, escape
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOAD_DIR = "/srv/uploads"
PAGE = "<h1>Hello {{ name }}</h1>"


@app.route("/download")
def download():
    return send_file(os.path.join(UPLOAD_DIR, request.args["name"]))  # arbiter-expect: PY-PATH-001


@app.route("/read")
def read_file():
    with open("/srv/reports/" + request.args.get("report")) as fh:  # arbiter-expect: PY-PATH-001
        return fh.read()


@app.route("/delete", methods=["POST"])
def delete():
    os.remove(os.path.join(UPLOAD_DIR, request.form["file"]))  # arbiter-expect: PY-PATH-001
    return "deleted"


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    return render_template_string("<p>Hello " + name + "</p>")  # arbiter-expect: PY-SSTI-001


@app.route("/preview", methods=["POST"])
def preview():
    return Template(request.form["template"]).render()  # arbiter-expect: PY-SSTI-001


@app.route("/bio")
def bio():
    return Markup(f"<div class='bio'>{request.args['bio']}</div>")  # arbiter-expect: PY-XSS-001


@app.route("/search")
def search():
    return make_response("<h2>Results for " + request.args.get("q", "") + "</h2>")  # arbiter-expect: PY-XSS-002


@app.route("/echo")
def echo():
    return f"<p>You said: {request.args.get('msg')}</p>"  # arbiter-expect: PY-XSS-002


@app.route("/fetch")
def fetch():
    resp = requests.get(request.args["url"], timeout=5)  # arbiter-expect: PY-SSRF-001
    return resp.text


@app.route("/proxy")
def proxy():
    return urlopen(request.args.get("target")).read()  # arbiter-expect: PY-SSRF-001


@app.route("/login/done")
def login_done():
    return redirect(request.args.get("next"))  # arbiter-expect: PY-REDIRECT-001


@app.route("/prefs", methods=["POST"])
def prefs():
    session["role"] = request.form.get("role")  # arbiter-expect: PY-TRUST-001
    resp = make_response("saved")
    resp.set_cookie("session_id", "abc", secure=False, httponly=True)  # arbiter-expect: PY-COOKIE-001
    return resp


env = Environment(loader=FileSystemLoader("templates"), autoescape=False)  # arbiter-expect: PY-XSS-003


# ---------------------------------------------------------------- safe look-alikes

@app.route("/download2")
def download_safe():
    return send_from_directory(UPLOAD_DIR, request.args["name"])


@app.route("/read2")
def read_safe():
    name = secure_filename(request.args.get("report", ""))
    path = os.path.realpath(os.path.join("/srv/reports", name))
    if not path.startswith("/srv/reports/"):
        abort(400)
    with open(path) as fh:
        return fh.read()


@app.route("/greet2")
def greet_safe():
    return render_template_string(PAGE, name=request.args.get("name", ""))


@app.route("/greet3")
def greet_template():
    return render_template("greet.html", name=request.args.get("name", ""))


@app.route("/bio2")
def bio_safe():
    return Markup("<div class='bio'>{}</div>").format(request.args.get("bio", ""))


@app.route("/static-banner")
def banner():
    return Markup("<b>Maintenance tonight</b>")


@app.route("/search2")
def search_safe():
    return make_response("<h2>Results for " + str(escape(request.args.get("q", ""))) + "</h2>")


@app.route("/fetch2")
def fetch_safe():
    resp = requests.get("https://api.example.com/status", timeout=5)
    return resp.text


@app.route("/login/done2")
def login_done_safe():
    return redirect(url_for("dashboard", tab=request.args.get("tab")))


@app.route("/prefs2", methods=["POST"])
def prefs_safe():
    theme = request.form.get("theme")
    if theme in ("light", "dark"):
        session["theme"] = theme
    resp = make_response("saved")
    resp.set_cookie("session_id", "abc", secure=True, httponly=True, samesite="Lax")
    return resp


safe_env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html"]))

"""Django settings and service bootstrap for the billing app."""
import os
import socket

import psycopg2
from django.views.decorators.csrf import csrf_exempt
from flask import Flask

DEBUG = True  # arbiter-expect: PY-DEBUG-002

SECRET_KEY = "k3v9-billing-prod-2f7c1e"  # arbiter-expect: PY-SECRET-001
DB_PASSWORD = "Winter2024!"  # arbiter-expect: PY-SECRET-001
SESSION_COOKIE_SECURE = False  # arbiter-expect: PY-COOKIE-001
WTF_CSRF_ENABLED = False  # arbiter-expect: PY-CSRF-001

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "USER": "billing",
        "password": "hunter2-billing",  # arbiter-expect: PY-SECRET-001
    }
}

app = Flask(__name__)


def connect():
    return psycopg2.connect(host="db", user="billing", password="Sup3rS3cret")  # arbiter-expect: PY-SECRET-001


def is_backdoor(password):
    return password == "letmein123"  # arbiter-expect: PY-SECRET-001


@csrf_exempt  # arbiter-expect: PY-CSRF-001
def payment_webhook(request):
    return None


def serve():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("0.0.0.0", 9000))  # arbiter-expect: PY-NET-001
    return sock


def main():
    app.run(host="0.0.0.0", port=8080, debug=True)  # arbiter-expect: PY-NET-001, PY-DEBUG-001


# ---------------------------------------------------------------- safe look-alikes

DEBUG_TOOLBAR = os.environ.get("DEBUG_TOOLBAR") == "1"
PROD_DEBUG = False
API_TOKEN = os.environ["API_TOKEN"]
SMTP_PASSWORD = os.getenv("SMTP_PASSWORD", "")
PASSWORD_MIN_LENGTH = 12
PASSWORD_RESET_URL = "/accounts/reset/"
TOKEN_HEADER = "Authorization"
CSRF_COOKIE_SECURE = True
DEFAULT_PASSWORD = "changeme"
ADMIN_PASSWORD = "<set-in-vault>"
password_prompt = "Enter your password"
RESET_PASSWORD = "RESET_PASSWORD"
PAGINATION = {"input_token": "next_token", "limit_key": "max_items"}
masked_password = "****"


def connect_safe():
    return psycopg2.connect(host="db", user="billing", password=os.environ["DB_PASSWORD"])


def check(password, stored):
    return password == stored


def serve_local():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 9000))
    return sock


def free_port():
    probe = socket.socket()
    probe.bind(("", 0))
    return probe.getsockname()[1]


OAUTH_FIELDS = {"client_secret": "client_secret", "grant_type": "refresh_token"}


def main_safe():
    app.run(host="127.0.0.1", port=8080, debug=os.environ.get("FLASK_DEBUG") == "1")

"""Partner API settings."""

PAYMENTS_URL = "http://api.partner-payments.com/v1/charges"  # arbiter-expect: GEN-NET-001
REPORTS_URL = "https://reports.partner-payments.com/v2"
LOCAL_DEV_URL = "http://localhost:8080/api"
LOOPBACK_URL = "http://127.0.0.1:9000/health"
DOCS_EXAMPLE = "http://example.com/callback"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
DOCKER_SERVICE_URL = "http://billing:8080/internal"
OCSP_RESPONDER = "http://ocsp.digicert.com"
DOC_NET_URL = "http://198.51.100.7/status"

# Old endpoint was http://legacy.partner-payments.com (now HTTPS only).

DEFAULT_HEADERS = {
    "Authorization": "Basic cmVwb3J0aW5nOnMzY3IzdA==",  # arbiter-expect: GEN-AUTH-001
    "Accept": "application/json",
}


def auth_headers(encoded_credentials):
    # Safe: the credential is supplied at runtime.
    return {"Authorization": "Basic " + encoded_credentials}


def placeholder_headers():
    return {"Authorization": "Bearer YOUR_ACCESS_TOKEN_HERE"}


def is_secure(url):
    return not url.startswith("http://")


def build_url(host, path):
    # TODO: move to HTTPS before launch (tracked in OPS-142)
    return "https://" + host + path


def login(session, user, password):
    # TODO: security - rate limit failed logins  # arbiter-expect: GEN-TODO-001
    # FIXME: disabled TLS verification for the staging proxy  # arbiter-expect: GEN-TODO-001
    # TODO: add pagination
    return session.post("/login", data={"user": user, "password": password})

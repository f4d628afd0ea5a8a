"""Maintenance scripts; reviewed exceptions are suppressed inline."""
import hashlib
import os
import subprocess


def legacy_etag(data):
    # arbiter:ignore PY-HASH-001 ETag for the legacy CDN, not a security boundary
    return hashlib.md5(data).hexdigest()


def rotate_logs(service):
    subprocess.run(f"logrotate -f /etc/logrotate.d/{service}", shell=True, check=True)  # arbiter:ignore PY-CMDI-002 service comes from a fixed allow-list


def purge(path):
    os.system("rm -rf " + path)  # arbiter-expect: PY-CMDI-001

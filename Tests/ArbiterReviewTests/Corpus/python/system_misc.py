"""Worker utilities: temp files, permissions and admin checks."""
import os
import stat
import tempfile


def scratch_path():
    return tempfile.mktemp(suffix=".csv")  # arbiter-expect: PY-TMP-001


def share_socket(path):
    os.chmod(path, 0o777)  # arbiter-expect: PY-PERM-001


def share_log(path):
    os.chmod(path, 0o666)  # arbiter-expect: PY-PERM-001


def open_dir(path):
    os.chmod(path, stat.S_IRWXU | stat.S_IWOTH)  # arbiter-expect: PY-PERM-001


def make_spool(path):
    os.makedirs(path, mode=0o777, exist_ok=True)  # arbiter-expect: PY-PERM-001


def delete_account(user, account):
    assert user.is_admin, "only admins may delete accounts"  # arbiter-expect: PY-ASSERT-001
    account.delete()


def export_all(request):
    assert request.user.has_perm("reports.export")  # arbiter-expect: PY-ASSERT-001
    return []


# ---------------------------------------------------------------- safe look-alikes

def scratch_file():
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    return path


def scratch_named():
    return tempfile.NamedTemporaryFile(delete=False, suffix=".csv")


def lock_down(path):
    os.chmod(path, 0o600)


def publish(path):
    os.chmod(path, 0o644)
    os.chmod(os.path.dirname(path), 0o755)


def make_private(path):
    os.makedirs(path, mode=0o700, exist_ok=True)


def delete_account_safe(user, account):
    if not user.is_admin:
        raise PermissionError("only admins may delete accounts")
    account.delete()


def normalise(rows):
    assert isinstance(rows, list), "rows must be a list"
    return rows


def check_error(message):
    assert "not authorized" in message, "expected the authorization error"
    return message

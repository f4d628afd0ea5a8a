"""Backup and media helpers that shell out to system tools."""
import asyncio
import os
import shlex
import subprocess


def compress(path):
    os.system("tar czf /backups/archive.tgz " + path)  # arbiter-expect: PY-CMDI-001


def thumbnail(src, dst):
    os.system(f"convert {src} -resize 200x200 {dst}")  # arbiter-expect: PY-CMDI-001


def disk_usage(directory):
    return os.popen("du -sh %s" % directory).read()  # arbiter-expect: PY-CMDI-001


def ping(host):
    return subprocess.getoutput("ping -c 1 " + host)  # arbiter-expect: PY-CMDI-001


def run_user_cmd(cmd):
    return subprocess.check_output(cmd, shell=True)  # arbiter-expect: PY-CMDI-002


def grep_logs(pattern):
    proc = subprocess.Popen(
        f"grep -r {pattern} /var/log/app",
        shell=True,  # arbiter-expect: PY-CMDI-002
        stdout=subprocess.PIPE,
    )
    return proc.communicate()[0]


def convert_video(name):
    subprocess.run("ffmpeg -i " + name + " out.mp4", shell=True, check=True)  # arbiter-expect: PY-CMDI-002


async def async_backup(target):
    proc = await asyncio.create_subprocess_shell(f"rsync -a /data {target}")  # arbiter-expect: PY-CMDI-001
    await proc.wait()


def run_script(script):
    return subprocess.run(["bash", "-c", script], check=True)  # arbiter-expect: PY-CMDI-001


# ---------------------------------------------------------------- safe look-alikes

def run_fixed():
    return subprocess.run(["bash", "-c", "echo ready"], check=True)


def compress_safe(path):
    subprocess.run(["tar", "czf", "/backups/archive.tgz", path], check=True)


def clear_screen():
    os.system("clear")


def uptime():
    return os.popen("uptime").read()


def list_services():
    return subprocess.check_output("systemctl list-units --type=service", shell=True)


def ping_quoted(host):
    return subprocess.check_output("ping -c 1 " + shlex.quote(host), shell=True)


def explain():
    # never call os.system(user_input) or subprocess.run(cmd, shell=True) here
    message = "os.system() and shell=True are banned in this module"
    return message


def run_safe(args):
    return subprocess.run(args, shell=False, capture_output=True, check=False)

"""Token, hashing and transport helpers for the accounts service."""
import hashlib
import hmac
import random
import secrets
import ssl
import string
import time

import httpx
import jwt
import requests
from Crypto.Cipher import AES, ARC4, DES
from Crypto.Hash import MD5
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ALPHABET = string.ascii_letters + string.digits


def file_fingerprint(data):
    return hashlib.md5(data).hexdigest()  # arbiter-expect: PY-HASH-001


def legacy_signature(payload):
    return hashlib.sha1(payload).hexdigest()  # arbiter-expect: PY-HASH-001


def legacy_digest(payload):
    h = hashlib.new("md5")  # arbiter-expect: PY-HASH-001
    h.update(payload)
    return MD5.new(payload).digest()  # arbiter-expect: PY-HASH-001


def cert_digest(cert):
    return hashes.SHA1()  # arbiter-expect: PY-HASH-001


def store_password(password):
    return hashlib.sha256(password.encode()).hexdigest()  # arbiter-expect: PY-HASH-002


def encrypt_des(key, data):
    cipher = DES.new(key, DES.MODE_ECB)  # arbiter-expect: PY-CRYPTO-001
    return cipher.encrypt(data)


def encrypt_rc4(key, data):
    return ARC4.new(key).encrypt(data)  # arbiter-expect: PY-CRYPTO-001


def encrypt_ecb(key, data):
    cipher = AES.new(key, AES.MODE_ECB)  # arbiter-expect: PY-CRYPTO-001
    return cipher.encrypt(data)


def encrypt_ecb_hazmat(key):
    return Cipher(algorithms.AES(key), modes.ECB())  # arbiter-expect: PY-CRYPTO-001


def reset_token():
    reset_token = "".join(random.choice(ALPHABET) for _ in range(32))  # arbiter-expect: PY-RAND-001
    return reset_token


def one_time_code():
    otp = random.randint(100000, 999999)  # arbiter-expect: PY-RAND-001
    return otp


def remember_me_value():
    value = str(random.random())  # arbiter-expect: PY-RAND-002
    return value


def fetch_profile(url):
    return requests.get(url, verify=False, timeout=10)  # arbiter-expect: PY-TLS-001


def fetch_internal(url):
    with httpx.Client(verify=False) as client:  # arbiter-expect: PY-TLS-001
        return client.get(url)


def raw_context():
    ctx = ssl._create_unverified_context()  # arbiter-expect: PY-TLS-002
    return ctx


def lax_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False  # arbiter-expect: PY-TLS-002
    ctx.verify_mode = ssl.CERT_NONE  # arbiter-expect: PY-TLS-002
    return ctx


def old_protocol():
    return ssl.SSLContext(ssl.PROTOCOL_TLSv1)  # arbiter-expect: PY-TLS-003


def read_claims(token):
    return jwt.decode(token, options={"verify_signature": False})  # arbiter-expect: PY-JWT-001


def read_claims_none(token, key):
    return jwt.decode(token, key, algorithms=["none"])  # arbiter-expect: PY-JWT-001


# ---------------------------------------------------------------- safe look-alikes

def etag(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def integrity(data):
    return hashlib.sha256(data).hexdigest()


def store_password_safe(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def sign(key, msg):
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def encrypt_gcm(key, data):
    cipher = AES.new(key, AES.MODE_GCM)
    return cipher.encrypt_and_digest(data)


def new_token():
    return secrets.token_urlsafe(32)


def new_code():
    code = secrets.randbelow(1_000_000)
    return f"{code:06d}"


def secure_choice():
    rng = random.SystemRandom()
    return rng.choice(ALPHABET)


def backoff(attempt):
    time.sleep(random.uniform(0, 2 ** attempt))


def fetch_verified(url):
    return requests.get(url, verify="/etc/ssl/certs/internal-ca.pem", timeout=10)


def strict_context():
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def read_claims_safe(token, key):
    return jwt.decode(token, key, algorithms=["HS256"])

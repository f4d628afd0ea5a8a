"""Service settings: which values the generic high-entropy secret check flags, and which it leaves alone."""
import os

# A random-looking value under a secret-looking name: flagged.
client_secret = "q8Zr2Lx9Vt4Nw7Bk1Hs5Jd3Mf6Gp0Cy"  # arbiter-expect: PY-SECRET-001
SETTINGS = {
    "signing_token": "T3kP9xQ2mW7vL4zR8nB1cY6hJ5dF0gS",  # arbiter-expect: PY-SECRET-001
}

# Read from the environment: fine.
database_password = os.environ.get("DATABASE_PASSWORD")

# Placeholders and examples: fine.
api_key_placeholder = "your-api-key-goes-here-please"
example_token = "EXAMPLE0123456789EXAMPLE0123"
sample_secret = "xxxxxxxxxxxxxxxxxxxxxxxxxxxx"

# Low-entropy or ordinary words: fine.
password_hint = "the-name-of-your-first-pet"
token_type = "bearer"

# A commit id is not a secret.
auth_commit = "8f14e45fceea167a5a36dedd4bea2543c0a5e1b2"

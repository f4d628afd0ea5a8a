"""Deployment configuration for the reporting service (fake credentials for scanner tests)."""
import os

# --- committed credentials (must be flagged) ---
AWS_ACCESS_KEY_ID = "AKIAFAKERZBN4E6VNFVB"  # arbiter-expect: SEC-AWS-001
aws_secret_access_key = "cQvVVZrHt/D2Xun6o1FakeSecretGJzGT5HTIJDL"  # arbiter-expect: SEC-AWS-002
STRIPE_LIVE = "sk_live_Px4WtIrzX0hDV2mypucImJyM"  # arbiter-expect: SEC-STRIPE-001
DATABASE_URL = "postgresql://reporting:Qm7vR2pLx9@db.prod.internal:5432/reports"  # arbiter-expect: SEC-DBURL-001
OPENAI_MODEL_KEY = "sk-proj-FNpTPMyGRB7-KGdt3lFHYGh9tCWkQR-7n1nkVARVjfflFQ4x"  # arbiter-expect: SEC-OPENAI-001
SIGNING_KEY_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n"  # arbiter-expect: SEC-PEM-001

# rotated last week, old value was ASIAE7WYIT2AQ6TBQEM7  # arbiter-expect: SEC-AWS-001


def client_settings():
    return {
        "region": "eu-west-1",
        "github": "ghp_Fakene0b7mShy1R6whlZ4NSqjX1yV0pGq88J",  # arbiter-expect: SEC-GITHUB-001
    }


# --- look-alikes a scanner must ignore ---
AWS_DOCS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_DOCS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS_PLACEHOLDER = "AKIAXXXXXXXXXXXXXXXX"
AWS_FROM_ENV = os.environ.get("AWS_ACCESS_KEY_ID")
STRIPE_TEST = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_PUBLISHABLE = "pk_live_51HqExampleKey"
LOCAL_DATABASE_URL = "postgresql://postgres:postgres@localhost:5432/reports"
TEMPLATE_DATABASE_URL = "postgresql://reporting:${DB_PASSWORD}@db.prod.internal:5432/reports"
DOC_DATABASE_URL = "postgresql://user:password@db.prod.internal:5432/reports"
PUBLIC_KEY_HEADER = "-----BEGIN PUBLIC KEY-----"


def is_private_key(pem):
    return pem.startswith("-----BEGIN RSA PRIVATE KEY-----")


def database_url(user, password, host):
    return f"postgresql://{user}:{password}@{host}:5432/reports"

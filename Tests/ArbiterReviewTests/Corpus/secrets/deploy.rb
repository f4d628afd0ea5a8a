# Capistrano deploy settings (fake credentials for scanner tests).
set :application, "reports"
set :claude_api, "sk-ant-api03-CDjHw-2L26T4RHNH_vl6UpT8_z89Admps13j2MERMQwt6-4kPHL8DMw9SH6RuSVZAxKHI5FSAuoKA0YUPwAihCTI74ipcAA"  # arbiter-expect: SEC-ANTHROPIC-001
set :deploy_key, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"  # arbiter-expect: SEC-PEM-001
set :cache_url, "redis://:Hx93kPq2Lm@cache.prod.internal:6379/0"  # arbiter-expect: SEC-DBURL-001

# Look-alikes that must not be flagged.
set :claude_api_env, ENV.fetch("ANTHROPIC_API_KEY")
set :deploy_key_path, "~/.ssh/deploy_ed25519"
set :cache_url_local, "redis://localhost:6379/0"

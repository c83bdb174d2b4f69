"""gunicorn's settings: it believes a proxy's X-Forwarded-Proto/-Ssl/-Protocol only when Django does."""

from config.settings import BEHIND_PROXY

# Behind the proxy, gunicorn trusts those headers from its default addresses (127.0.0.1 and ::1,
# or FORWARDED_ALLOW_IPS); without one, from nobody.
if not BEHIND_PROXY:
    forwarded_allow_ips = ""

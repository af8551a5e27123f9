"""gunicorn settings for `make serve` and production; every value can come from the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Sync workers answer one request each: a short timeout stops a slow query from pinning one.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 50
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off (benchmarks)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Trust X-Forwarded-Proto only from our proxies (paired with SECURE_PROXY_SSL_HEADER): the same
# variable and default as Django's FORWARDED_ALLOW_IPS, which trusts their X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
wsgi_app = "newsroom.wsgi:application"
# gunicorn's control socket (for gunicornc) defaults to one path per user, shared by every
# gunicorn on the host, and a stopping instance removes whatever socket is there: off, unless
# GUNICORN_CONTROL_SOCKET gives this instance a path of its own.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

"""gunicorn settings, all from the environment: PORT, WEB_CONCURRENCY, GUNICORN_*."""

import multiprocessing
import os

# One sync worker per core, at least two: on small machines that serves as well as
# 2 × cores + 1, with a lower p99 (see README).
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
# The request id the app sends back (X-Request-ID) ties access lines to app log lines.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s" id=%({x-request-id}o)s'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "hkai"
# gunicorn's control socket (for gunicornc) defaults to one path per user, shared by
# every instance on the machine: one instance stopping removed another's. Off, unless
# GUNICORN_CONTROL_SOCKET names this instance's own path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

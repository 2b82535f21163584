"""gunicorn settings, all from the environment (read as the site reads it: an empty
variable counts as unset): PORT, GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_TIMEOUT,
GUNICORN_MAX_REQUESTS, GUNICORN_CONTROL_SOCKET, FORWARDED_ALLOW_IPS."""

import multiprocessing
import os
import time

from hkai_site.settings import TIME_ZONE, env, env_number

# The workers load Django, which sets the process's time zone to TIME_ZONE; the master
# does too, so that every line of the log shows the same clock.
os.environ["TZ"] = TIME_ZONE
time.tzset()

# One sync worker per core, at least two: on small machines that serves as well as
# 2 × cores + 1, with a lower p99 (see docs/operations.md).
bind = env("GUNICORN_BIND", f"127.0.0.1:{env_number('PORT', 8000)}")
workers = env_number("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count()))
worker_class = "sync"
timeout = env_number("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = env_number("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
accesslog = "-"
# The request id the app sends back (X-Request-ID) ties access lines to app log lines.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s" id=%({x-request-id}o)s'
errorlog = "-"
forwarded_allow_ips = env("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "hkai"
# gunicorn's control socket (for gunicornc) defaults to one path per user, shared by
# every instance on the machine: one instance stopping removed another's. Off, unless
# GUNICORN_CONTROL_SOCKET names this instance's own path.
control_socket = env("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

"""Real servers for the tests: installed from Debian when missing, run on loopback."""

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time

import pytest


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def can_install():
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(package):
    """Install Debian's `package` (as root); the caller checks what it got."""
    print(f"\n*** installing Debian's {package} for the tests ***", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
        env=env,
        check=False,
    )


def ensure_command(command, package):
    """The path of `command`, installing Debian's `package` first if we are root."""
    found = shutil.which(command) or shutil.which(command, path="/usr/sbin:/usr/bin")
    if found or not can_install():
        return found
    apt_install(package)
    return shutil.which(command) or shutil.which(command, path="/usr/sbin:/usr/bin")


def unavailable(what):
    """Skip loudly; under CI=true a missing service is a failure, never a skip."""
    message = f"*** {what}: these tests did NOT run ***"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    print(f"\n{message}", file=sys.stderr)
    pytest.skip(message)


def start_redis(tmp_dir, port=None):
    """A throwaway redis-server on 127.0.0.1 and `port` (a free one by default):
    (process, url)."""
    binary = ensure_command("redis-server", "redis-server")
    if binary is None:
        unavailable("redis-server is not installed and cannot be")
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(tmp_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    unavailable("redis-server did not start")


def start_s3():
    """moto's standalone S3-protocol server on 127.0.0.1 and a free port: (process,
    endpoint URL). It keeps everything in memory and stops with its process."""
    import http.client

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/moto-api/")
            if connection.getresponse().status < 500:
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
        if process.poll() is not None:
            break
    process.kill()
    unavailable("moto's S3 server did not start")


BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


def http_get(port, path, headers=None):
    """(status, headers, body) of a GET to 127.0.0.1:port."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def site_env(root, **extra):
    """Production-mode settings for a throwaway site whose files live in `root`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE", "REDIS"))
    }
    env.update(
        DJANGO_SECRET_KEY="test-" + "s" * 60,
        DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(root / "static"),
        DJANGO_SETTINGS_MODULE="hkai_site.settings",
        PYTHONPATH=BASE_DIR,
    )
    env.update(extra)
    return env


def prepare_site(env):
    """Migrate, load the seed and collect static files, as `make run` does."""
    for command in (["migrate", "--noinput"], ["load_seed"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env,
                       check=True, capture_output=True, timeout=300)  # fmt: skip


def start_gunicorn(env, log_path, workers=2, env_file=None, keep=()):
    """gunicorn on a free port with `env`; returns (process, port) once /healthz answers.

    With `env_file`, the shell exports that file first (`set -a; . FILE`), as an
    operator would, and only the port and the variables named in `keep` override it."""
    port = free_port()
    log = open(log_path, "w")
    overrides = {"PORT": str(port)}
    if workers is not None:
        overrides["WEB_CONCURRENCY"] = str(workers)
    command = [GUNICORN, "-c", "gunicorn.conf.py", "hkai_site.wsgi"]
    if env_file is not None:
        kept = {**overrides, **{name: env[name] for name in keep}}
        assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in kept.items())
        script = f"set -a; . {shlex.quote(str(env_file))}; {assignments}; set +a; exec "
        command = ["sh", "-c", script + " ".join(map(shlex.quote, command))]
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env={**env, **overrides}, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if http_get(port, "/healthz")[0] == 200:
                return process, port
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            with open(log_path) as handle:
                pytest.fail("gunicorn did not start:\n" + handle.read())
        time.sleep(0.2)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


class Inbox:
    """An SMTP server on 127.0.0.1 (aiosmtpd, in a thread of this process) and what it
    received: `messages`, each an email.message.EmailMessage. `stop()` and `start()`
    take it down and bring it back on the same port."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self):
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()  # returns once the server answers
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


def start_smtp():
    """A throwaway SMTP server on 127.0.0.1 and a free port: its Inbox."""
    return Inbox().start()

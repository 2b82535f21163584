"""Run a command against a throwaway PostgreSQL server on 127.0.0.1.

    python devtools/with_postgres.py .venv/bin/pytest

Starts a private cluster (initdb + pg_ctl) in a temporary directory on a free port,
sets DATABASE_URL for the command, and removes the cluster afterwards. When the
PostgreSQL server binaries are missing and this runs as root, Debian's `postgresql`
package is installed first. If PostgreSQL still cannot be started, the command is
skipped with a loud message, except under CI=true, where that is a failure.
"""

import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

# Run as a script (python devtools/with_postgres.py …): the project root holds `tests`.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from devtools.services import apt_install, can_install, free_port  # noqa: E402

USER = "postgres"


def say(message):
    print(f"\n*** PostgreSQL: {message} ***\n", file=sys.stderr, flush=True)


def find_bin():
    on_path = shutil.which("pg_ctl")
    for candidate in [os.path.dirname(os.path.realpath(on_path)) if on_path else ""] + sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), reverse=True
    ):
        if candidate and os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    return None


def as_user(command):
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", USER], check=True)
    return ["runuser", "-u", USER, "--"] + command


def main(command):
    bin_dir = find_bin()
    if bin_dir is None and can_install():
        say("server not found; installing Debian's postgresql package")
        apt_install("postgresql")
        bin_dir = find_bin()
    if bin_dir is None:
        return unavailable("the server binaries (initdb, pg_ctl) are not installed")

    root = tempfile.mkdtemp(prefix="hkai-pg-")
    data, port = os.path.join(root, "data"), free_port()
    if os.geteuid() == 0:
        as_user([])  # make sure the user exists before chown
        shutil.chown(root, user=USER)
    try:
        setup = [
            as_user([f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                     "--encoding=UTF8", "--locale=C.UTF-8"]),
            as_user([f"{bin_dir}/pg_ctl", "-D", data, "-l", f"{root}/server.log", "-w",
                     "-t", "60", "start", "-o",
                     f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off "
                     "-c synchronous_commit=off -c full_page_writes=off"]),
            as_user([f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U",
                     "postgres", "hkai"]),
        ]  # fmt: skip
        for step in setup:
            result = subprocess.run(step, capture_output=True, text=True)
            if result.returncode != 0:
                log = ""
                if os.path.exists(f"{root}/server.log"):
                    log = open(f"{root}/server.log").read()
                return unavailable(f"{' '.join(step)} failed:\n{result.stderr}{log}")
        say(f"throwaway server on 127.0.0.1:{port}; running {' '.join(command)}")
        env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/hkai"}
        # How a fault test restarts this server (bench/loadtest.py --restart-postgres).
        restart = as_user([f"{bin_dir}/pg_ctl", "-D", data, "-l", f"{root}/server.log", "-w",
                           "-t", "60", "-m", "fast", "restart"])  # fmt: skip
        env["HKAI_TEST_PG_RESTART"] = json.dumps(restart)
        return subprocess.run(command, env=env).returncode
    finally:
        subprocess.run(
            as_user([f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def unavailable(reason):
    if os.environ.get("CI", "").lower() == "true":
        say(f"FAILED: cannot start PostgreSQL under CI: {reason}")
        return 1
    say(f"SKIPPED: the PostgreSQL leg of the tests did not run: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

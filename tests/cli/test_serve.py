"""`retrorun serve` as a real process: it is a server, so these tests start it, talk to it over
TCP, and stop it (SIGTERM, then wait) as a service manager would.

One SQLite process, two workers on PostgreSQL (each worker must answer, and share the sign-in),
the refusal of several workers on SQLite, and `--demo` on a database of its own.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest
from tests.cli.clirunner import assert_one_line_error, run

from retrorun.services.app import App
from retrorun.store.database import HEAD_REVISION, current_revision

START_TIMEOUT_S = 60.0
PASSWORD = "correct horse battery"


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for_line(self, pattern: str, timeout_s: float = START_TIMEOUT_S) -> re.Match[str]:
        """The first line printed that matches `pattern` (lines before it are kept in `seen`)."""
        deadline = time.monotonic() + timeout_s
        for line in self.seen:
            if found := re.search(pattern, line):
                return found
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        pytest.fail(f"serve never printed {pattern!r}; it printed {self.seen!r}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(home: Path) -> dict[str, str]:
    """The real environment, with the user's data folder moved under the test's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("RETRORUN_DATABASE_URL", "RETRORUN_TODAY")
    }
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), COLUMNS="200")
    return env


@contextmanager
def serving(before: list[str], after: list[str], home: Path) -> Iterator[Server]:
    """`retrorun BEFORE serve --port P AFTER`, running until the block ends."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "retrorun", *before, "serve", "--port", str(port), *after],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(home),
    )
    server = Server(process, port)
    assert process.stdout is not None
    reader = threading.Thread(
        target=lambda: [server.lines.put(line.rstrip("\n")) for line in process.stdout or ()],
        daemon=True,
    )
    reader.start()
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            pytest.fail("serve did not stop on SIGTERM within 20 s")
        errors = process.stderr.read() if process.stderr else ""
        # uvicorn shuts down gracefully on SIGTERM, then one process re-raises the signal (so
        # the exit says why it stopped); the worker manager exits 0.
        assert code in (0, -signal.SIGTERM), f"serve stopped with {code}: {errors}"
        assert "Traceback" not in errors, errors


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            errors = server.process.stderr.read() if server.process.stderr else ""
            pytest.fail(f"serve exited with {server.process.returncode}: {errors}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    pytest.fail(f"{server.url}/healthz did not answer within {START_TIMEOUT_S} s")


def _sign_in(base_url: str, email: str, password: str, path: str = "/sign-in") -> httpx.Client:
    """A browser signed in (or signed up, with path="/sign-up") through the real form."""
    browser = httpx.Client(base_url=base_url, timeout=30, follow_redirects=True)
    shown = browser.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown.text)
    assert token is not None, shown.text
    done = browser.post(
        path, data={"email": email, "password": password, "csrf_token": token.group(1)}
    )
    assert done.status_code == 200, done.text
    assert "retrorun_session" in browser.cookies
    return browser


# --- one process on SQLite ----------------------------------------------------------------------


def test_serve_migrates_a_fresh_database_prints_its_address_and_answers(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"  # a folder named in --db must exist: serve makes none
    with serving(["--db", str(db)], [], tmp_path) as server:
        printed = server.wait_for_line(r"retrorun is at (http://\S+)")
        assert printed.group(1) == f"http://127.0.0.1:{server.port}/"
        health = httpx.get(f"{server.url}/healthz")
        assert health.text == "ok"
        assert health.headers["x-content-type-options"] == "nosniff"
        app = App(str(db))
        try:
            assert current_revision(app.engine) == HEAD_REVISION
        finally:
            app.close()
        browser = _sign_in(server.url, "first@example.org", PASSWORD, "/sign-up")
        assert browser.get("/api/v1/me").json()["email"] == "first@example.org"
        browser.close()
    assert not (tmp_path / "data").exists()  # the user's own data folder was left alone


def test_several_workers_on_sqlite_are_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "retrorun.db"
    result = run(db, "serve", "--workers", "2", "--port", str(_free_port()))
    assert_one_line_error(result, "several workers need PostgreSQL")
    assert not db.exists()  # refused before anything was made


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--workers", "0"]])
def test_impossible_numbers_are_refused(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path / "retrorun.db", "serve", *args)
    assert_one_line_error(result, args[0])


# --- two workers on PostgreSQL ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def _connection_owners(port: int, pids: list[int]) -> dict[int, int]:
    """For each TCP connection accepted on `port`: the client's port → the worker holding it."""
    pid_of_inode = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                pid_of_inode[target[8:-1]] = pid
    owners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in pid_of_inode:
                owners[remote_port] = pid_of_inode[fields[9]]
    return owners


def _raw_get(port: int, path: str, cookie: str) -> tuple[socket.socket, str]:
    """GET on a connection of its own, left open so its worker can be found."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: retrorun_session={cookie}"
    connection.sendall(f"{request}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(4096)
        if not chunk:
            break
        answer += chunk
    return connection, answer.split(b"\r\n", 1)[0].decode()


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
def test_two_workers_on_postgresql_both_answer_and_share_the_sign_in(
    tmp_path: Path, postgres_url: str
) -> None:
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with serving(["--db", url], ["--workers", "2"], tmp_path) as server:
        server.wait_for_line(r"retrorun is at http://127\.0\.0\.1:\d+/")
        workers = _children(server.process.pid)
        assert len(workers) == 2, workers
        app = App(url)
        try:
            assert current_revision(app.engine) == HEAD_REVISION
        finally:
            app.close()
        browser = _sign_in(server.url, "team@example.org", PASSWORD, "/sign-up")
        cookie = browser.cookies["retrorun_session"]
        browser.close()
        answered: dict[int, set[str]] = {}
        connections = []
        for _ in range(40):
            connection, status = _raw_get(server.port, "/api/v1/me", cookie)
            connections.append(connection)
            owner = _connection_owners(server.port, workers).get(connection.getsockname()[1])
            assert owner is not None
            answered.setdefault(owner, set()).add(status)
            if len(answered) == 2 and len(connections) >= 10:
                break
            time.sleep(0.01)
        for connection in connections:
            connection.close()
        # Each worker answered, and each knew the session the other may have started.
        assert set(answered) == set(workers), answered
        assert all(statuses == {"HTTP/1.1 200 OK"} for statuses in answered.values()), answered
    # Stopping the manager stopped its workers too.
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent to collect it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# --- the demo ---------------------------------------------------------------------------------


def test_serve_demo_uses_its_own_database_and_shows_a_runner_with_a_plan_and_logs(
    tmp_path: Path,
) -> None:
    with serving([], ["--demo"], tmp_path) as server:
        demo = server.wait_for_line(r"Demo: sign in as (\S+) \(the runner\).*password (\S+)")
        email, password = demo.group(1), demo.group(2)
        browser = _sign_in(server.url, email, password)
        plan = browser.get("/api/v1/plan")
        assert plan.status_code == 200
        assert len(plan.json()["sessions"]) > 0
        history = browser.get("/api/v1/history").json()
        assert sum(1 for row in history if row["source"] == "log") >= 3
        assert browser.get("/plan").status_code == 200
        assert browser.get("/history").status_code == 200
        browser.close()
    demo_files = sorted(p.name for p in (tmp_path / "data" / "retrorun").iterdir())
    assert "retrorun-demo.db" in demo_files
    assert "retrorun.db" not in demo_files  # the person's own database was never made

"""Run `build.py serve` as a child process on a free loopback port, as a developer would.

Unless a test names a port, serve is started with `--port 0` and the port it took is read
from the line it prints (`serving out/ … at http://127.0.0.1:PORT/`). Everything the server
writes (site, cache, store, its own data folder) lives in one working folder the test owns;
the server is stopped with SIGINT, like Ctrl-C.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from tests.support.eventually import eventually

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
SECRET = "serve-tests-secret-0123456789"  # the app wants at least 16 characters


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def set_site_option(content: Path, key: str, value: str) -> None:
    """Replace one top-level `key: value` line of the copy's site.yaml."""
    path = content / "site.yaml"
    text, found = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", path.read_text())
    if not found:
        text += f"{key}: {value}\n"
    path.write_text(text)


class ServeProcess:
    """`build.py serve` running in a child process; its output is collected line by line."""

    def __init__(
        self,
        work: Path,
        *,
        port: int | None = None,
        rate_limit: int = 0,
        watch: bool = True,
        extra_env: dict[str, str] | None = None,
        split_streams: bool = False,
        confirmation: str = "off",
        store: str | None = None,
    ) -> None:
        self.work = work
        self.port = port or 0  # 0: serve picks a free port; wait_until_up() reads which
        self.url = f"http://127.0.0.1:{self.port}"
        self.out = work / "out"
        self.lines: list[str] = []  # stdout and stderr as they arrive
        self.stream_lines: dict[str, list[str]] = {"stdout": [], "stderr": []}  # if split
        self._lock = threading.Lock()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PETITION_")}
        env.update(
            PETITION_SECRET=SECRET,
            PETITION_RATE_LIMIT=str(rate_limit),
            PETITION_CONFIRMATION=confirmation,  # "required" where a test confirms by mail
            PYTHONUNBUFFERED="1",
            **(extra_env or {}),
        )
        command = [
            sys.executable, str(ROOT / "build.py"), "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--store", store or f"sqlite:///{work / 'signatures.db'}",
            "--content", "content", "--templates", "templates", "--out", "out",
            "--cache", "cache",
        ]  # fmt: skip
        if not watch:
            command.append("--no-watch")
        self.process = subprocess.Popen(
            command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if split_streams else subprocess.STDOUT, text=True,
            encoding="utf-8",
        )  # fmt: skip
        self._reader = threading.Thread(
            target=self._read, args=(self.process.stdout, "stdout"), daemon=True,
            name="serve-output",
        )  # fmt: skip
        self._reader.start()
        if split_streams:
            threading.Thread(
                target=self._read, args=(self.process.stderr, "stderr"), daemon=True,
                name="serve-errors",
            ).start()  # fmt: skip

    def _read(self, stream: IO[str] | None, name: str) -> None:
        assert stream is not None
        for line in stream:
            with self._lock:
                self.lines.append(line.rstrip("\n"))
                self.stream_lines[name].append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        with self._lock:
            return "\n".join(self.lines)

    def wait_for_output(self, pattern: str, timeout: float = 10.0, start: int = 0) -> str:
        """The first line (from line `start` on) matching `pattern`; AssertionError on timeout."""
        regex = re.compile(pattern)

        def matching_line() -> str | None:
            with self._lock:
                return next((line for line in self.lines[start:] if regex.search(line)), None)

        return eventually(
            matching_line,
            timeout,
            interval=0.02,
            message=lambda: (
                f"serve printing a line matching {pattern!r}; it printed:\n" + self.output
            ),
        )

    def wait_until_up(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the server answers `/`; AssertionError (with its output) if it never does.

        The port is the one the "serving … at URL" line names (it was 0: serve chose it).
        """
        if not self.port:

            def serving_line() -> str | None:
                if self.process.poll() is not None:
                    self._reader.join(2)
                    raise AssertionError(
                        f"serve exited with {self.process.returncode}:\n{self.output}"
                    )
                with self._lock:
                    return next((line for line in self.lines if line.startswith("serving ")), None)

            line = eventually(
                serving_line, timeout, interval=0.02,
                message=lambda: f"serve printing its address; it printed:\n{self.output}",
            )  # fmt: skip
            found = re.search(r" at (http://127\.0\.0\.1:(\d+))/ ", line)
            assert found, f"no address in {line!r}"
            self.url, self.port = found.group(1), int(found.group(2))

        def answers() -> bool:
            if self.process.poll() is not None:
                self._reader.join(2)
                raise AssertionError(
                    f"serve exited with {self.process.returncode} before answering:\n{self.output}"
                )
            with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                return bool(response.status == 200)

        try:
            eventually(
                answers,
                timeout,
                ignoring=(urllib.error.URLError, ConnectionError, TimeoutError),
                message=lambda: f"serve answering {self.url}/; it printed:\n{self.output}",
            )
        except AssertionError:
            self.kill()
            raise

    def interrupt(self, timeout: float = STOP_TIMEOUT) -> int:
        """Send SIGINT (Ctrl-C) and return the exit status; AssertionError if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"serve did not stop within {timeout} s of SIGINT:\n{self.output}"
            ) from None
        self._reader.join(2)
        return status

    def kill(self) -> None:
        """Stop the child at once (only when the clean way failed)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)


def start_serve(
    work: Path,
    *,
    rate_limit: int = 0,
    watch: bool = True,
    port: int | None = None,
    confirmation: str = "off",
    store: str | None = None,
) -> ServeProcess:
    """Start serve over `work/content` and `work/templates` (and the store at URL `store`,
    else a SQLite file in `work`) and wait until it answers."""
    server = ServeProcess(
        work, port=port, rate_limit=rate_limit, watch=watch, confirmation=confirmation,
        store=store,
    )  # fmt: skip
    server.wait_until_up()
    return server


def stop_serve(server: ServeProcess) -> None:
    """Ctrl-C the server and check it stopped cleanly (exit status 0)."""
    status = server.interrupt()
    assert status == 0, f"serve exited with {status} after SIGINT:\n{server.output}"

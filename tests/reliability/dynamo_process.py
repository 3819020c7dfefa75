"""DynamoDB Local on a fixed port and folder that a test can kill (SIGKILL) and start again.

tests/support/dynamodb_local.running() stops its server politely; a crash test needs the
server to die at once, mid-request, and come back on the same port with the same tables.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from tests.support.dynamodb_local import find_jar, find_java, free_port, started, stop


class KillableDynamoDB:
    """One DynamoDB Local process at a time on `port`, keeping its tables in `folder`."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the object

    def start(self) -> None:
        """Start the server and wait until it answers; RuntimeError with its output if not."""
        jar = find_jar()
        command = [
            find_java(),
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-port",
            str(self.port),
            "-disableTelemetry",
            "-sharedDb",
            "-dbPath",
            str(self.folder),
        ]
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        if started(self.process, self.endpoint):
            return
        self.close()
        self._log.seek(0)
        output = self._log.read().decode(errors="replace")
        raise RuntimeError(f"DynamoDB Local did not start on {self.endpoint}:\n{output}")

    def kill(self) -> None:
        """SIGKILL the server (no shutdown hooks, no flush) and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def close(self) -> None:
        """Stop the server if it runs and release its log file."""
        if self.process is not None:
            stop(self.process)
        self._log.close()

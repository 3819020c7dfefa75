"""Write-back in Lambda: the async self-invocation on the wire, and the handler's side."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from generator.errors import ConfigError, PetitionSiteError
from generator.model import Content
from generator.signing.settings import Settings
from generator.store.base import Store
from generator.writeback.publish import FolderPublisher, PublishError
from generator.writeback.refresh import WriteBack, handle_writeback_event

from .support import SLUG, TEMPLATES, Built, lambda_glue

FUNCTION = "petitions-prod-writeback"


class FakeLambda(ThreadingHTTPServer):
    """A loopback stand-in for the Lambda Invoke API that records what it is sent."""

    def __init__(self, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _Invoke)
        self.status = status
        self.calls: list[tuple[str, str | None, bytes]] = []

    @property
    def url(self) -> str:
        """The endpoint URL to give boto3."""
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Invoke(BaseHTTPRequestHandler):
    server: FakeLambda

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.calls.append((self.path, self.headers.get("X-Amz-Invocation-Type"), body))
        answer = b"" if self.server.status == 202 else b'{"Message": "boom"}'
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def fake_lambda(request: pytest.FixtureRequest) -> Iterator[FakeLambda]:
    """A fake Lambda endpoint answering every invocation with the parametrised status."""
    server = FakeLambda(getattr(request, "param", 202))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_hook_invokes_the_function_asynchronously_with_the_slug(
    fake_lambda: FakeLambda, content: Content
) -> None:
    hook = lambda_glue().lambda_hook(FUNCTION, region="us-east-1", endpoint_url=fake_lambda.url)
    petition = content.petition(SLUG)
    assert petition is not None
    hook(petition, ())
    assert fake_lambda.calls == [
        (
            f"/2015-03-31/functions/{FUNCTION}/invocations",
            "Event",
            b'{"slug": "' + SLUG.encode() + b'"}',
        )
    ]


@pytest.mark.parametrize("fake_lambda", [500], indirect=True)
def test_a_failed_invocation_is_logged_not_raised(
    fake_lambda: FakeLambda, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    hook = lambda_glue().lambda_hook(FUNCTION, region="us-east-1", endpoint_url=fake_lambda.url)
    petition = content.petition(SLUG)
    assert petition is not None
    hook(petition, ())
    assert fake_lambda.calls  # it was tried
    assert f"write-back not requested slug={SLUG} function={FUNCTION}" in caplog.text


def test_the_handler_refreshes_the_petition_named_in_the_event(
    built: Built, store: Store, content: Content
) -> None:
    writeback = WriteBack(content, TEMPLATES, store, FolderPublisher(built.out))
    (built.out / "index.html").write_bytes(b"stale")
    answer = handle_writeback_event({"slug": SLUG}, writeback)
    assert answer == {"slug": SLUG, "published": ["index.html"], "invalidation_id": None}
    assert b"stale" not in (built.out / "index.html").read_bytes()


def test_the_handler_raises_so_lambda_retries(
    tmp_path: Path, store: Store, content: Content
) -> None:
    writeback = WriteBack(content, TEMPLATES, store, FolderPublisher(tmp_path / "nothing"))
    with pytest.raises(PetitionSiteError, match="expected"):
        handle_writeback_event({"page": SLUG}, writeback)
    with pytest.raises(PublishError, match="no built site"):
        handle_writeback_event({"slug": SLUG}, writeback)


def test_lambda_settings_publish_to_the_named_bucket(store: Store, content: Content) -> None:
    environ = {"PETITION_SITE_BUCKET": "site-bucket", "PETITION_TEMPLATES": str(TEMPLATES)}
    lambda_side = lambda_glue().LambdaWriteBack(Settings.from_environ(environ))
    assert lambda_side.hooks() == []
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site-bucket")
        answer = lambda_side.handle({"slug": SLUG}, content, store)
        assert f"petitions/{SLUG}/index.html" in answer["published"]
        assert lambda_side.writeback(content, store) is lambda_side.writeback(content, store)
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="site-bucket")["Contents"]}
    assert keys == set(answer["published"])


def test_lambda_settings_name_what_is_missing(store: Store, content: Content) -> None:
    glue = lambda_glue()
    with pytest.raises(ConfigError, match="PETITION_SITE_BUCKET is not set"):
        glue.LambdaWriteBack(Settings.from_environ({})).writeback(content, store)
    with pytest.raises(ConfigError, match="PETITION_TEMPLATES is not set"):
        only_bucket = Settings.from_environ({"PETITION_SITE_BUCKET": "b"})
        glue.LambdaWriteBack(only_bucket).writeback(content, store)
    with_function = Settings.from_environ({"PETITION_WRITEBACK_FUNCTION": FUNCTION})
    assert len(glue.LambdaWriteBack(with_function).hooks()) == 1

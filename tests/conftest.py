"""Settings every test shares: boto3 never probes for credentials or leaves loopback."""

import os

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_SESSION_TOKEN"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("PETITION_STORE", None)
os.environ.pop("PETITION_RATE_LIMIT", None)


import pytest


@pytest.fixture(scope="session")
def dynamodb_local():
    """The endpoint URL of a DynamoDB Local server started for this test session.

    Fails (never skips) with a clear message when Java or the npm jar is missing.
    """
    from tests.support.dynamodb_local import running

    with running() as endpoint:
        yield endpoint


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if personal data a test registered reached a built site or test-artifacts/."""
    from pathlib import Path

    from tests.privacy.markers import registered, session_sweep

    factory = getattr(session.config, "_tmp_path_factory", None)  # pytest's own tmp_path root
    if not registered() or factory is None:
        return
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
    leaks = session_sweep(factory.getbasetemp(), artifacts)
    if not leaks:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.section("personal data leaked (tests/privacy/markers.py)", red=True)
        for leak in leaks:
            reporter.write_line(leak, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED

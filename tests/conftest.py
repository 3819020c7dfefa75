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

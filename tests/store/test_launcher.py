"""The DynamoDB Local launcher: clear failures, and a restart that keeps the tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.store.dynamodb import DynamoStore
from tests.store.helpers import counted, signature
from tests.support.dynamodb_local import DynamoDBLocalError, find_jar, find_java, running


def test_a_missing_jar_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(DynamoDBLocalError, match=r"DynamoDBLocal\.jar.*npm ci"):
        find_jar(tmp_path)


def test_missing_java_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")

    with pytest.raises(DynamoDBLocalError, match="Java is missing"):
        find_java()


@pytest.mark.dynamodb_local
def test_a_restarted_server_on_the_same_folder_keeps_its_tables(tmp_path: Path) -> None:
    folder = tmp_path / "dynamodb"
    with running(db_path=folder) as endpoint:
        store = DynamoStore("petitions", region="us-east-1", endpoint_url=endpoint)
        store.init()
        store.sign(signature(1))
        counted(store)
        store.close()
    port = int(endpoint.rsplit(":", 1)[1])

    with running(db_path=folder, port=port) as again:
        store = DynamoStore("petitions", region="us-east-1", endpoint_url=again)
        assert again == endpoint
        assert store.tally("save-the-park").count == 1
        store.close()

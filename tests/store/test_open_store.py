"""Store URLs: what they open, and clear errors for the ones that cannot work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.store import open_store
from generator.store.dynamodb import DynamoStore
from generator.store.sqlite import SqliteStore
from tests.store.helpers import signature

REPO = Path(__file__).resolve().parents[2]


def test_a_relative_sqlite_path_is_created_under_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///.data/signatures.db")

    store.sign(signature(1))
    store.close()

    assert isinstance(store, SqliteStore)
    assert (tmp_path / ".data" / "signatures.db").is_file()


def test_an_absolute_sqlite_path_takes_four_slashes(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "signatures.db"
    store = open_store(f"sqlite:///{target}")  # tmp_path starts with "/": sqlite:////tmp/…

    store.sign(signature(1))
    store.close()

    assert target.is_file()


def test_a_dynamodb_url_names_table_region_and_endpoint() -> None:
    store = open_store(
        "dynamodb://petitions-prod?region=eu-west-1&endpoint_url=http://127.0.0.1:8000"
    )

    assert isinstance(store, DynamoStore)
    assert (store.table, store.region, store.endpoint_url) == (
        "petitions-prod",
        "eu-west-1",
        "http://127.0.0.1:8000",
    )
    default = open_store("dynamodb://petitions-prod")
    assert isinstance(default, DynamoStore)
    assert (default.region, default.endpoint_url) == (None, None)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "expected sqlite"),
        ("signatures.db", "expected sqlite"),
        ("postgres://db/petitions", "unknown scheme 'postgres'"),
        ("sqlite://signatures.db", "sqlite:///relative"),
        ("sqlite:///", "path of a database file"),
        ("sqlite:///:memory:", "path of a database file"),
        ("sqlite:///data/", "path of a database file"),
        ("dynamodb://", "table name"),
        ("dynamodb://ab", "table name"),
        ("dynamodb://petitions/extra", "table name"),
        ("dynamodb://petitions?shards=10", "`shards` is no longer used"),  # one count item
        ("dynamodb://petitions?colour=blue", "unknown parameter(s) colour"),
        ("dynamodb://petitions?endpoint_url=localhost:8000", "endpoint_url must look like"),
        ("dynamodb://petitions?region=eu-west-1&region=us-east-1", "give region once"),
        ("dynamodb://petitions?region=", "give region once"),
    ],
)
def test_a_malformed_url_is_a_config_error_saying_what_is_wrong(url: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        open_store(url)

    assert says in str(err.value)
    assert repr(url) in str(err.value)


def test_opening_a_store_loads_boto3_only_for_dynamodb_and_only_on_first_use(
    tmp_path: Path,
) -> None:
    probe = (
        "import sys; from generator.store import open_store\n"
        f"open_store('sqlite:///{tmp_path}/s.db').tally('x')\n"
        "print('boto3' in sys.modules)\n"
        "store = open_store('dynamodb://petitions?region=us-east-1&endpoint_url=http://127.0.0.1:9')\n"
        "print('boto3' in sys.modules)\n"
        "store.client\n"
        "print('boto3' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["False", "False", "True"]

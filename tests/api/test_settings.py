"""Settings read lazily from the environment, the service built from them, and a light import."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.signing.settings import SETTINGS, Settings
from tests.support.fixture_site import CONTENT

from .support import FUNCTIONS, SECRET, signing_app

REPO = FUNCTIONS.parent


def test_missing_required_settings_are_errors_naming_them() -> None:
    settings = Settings.from_environ({})

    with pytest.raises(ConfigError, match="PETITION_STORE is not set"):
        settings.store_url()
    with pytest.raises(ConfigError, match="PETITION_SECRET is not set"):
        settings.secret()
    with pytest.raises(ConfigError, match="PETITION_SECRET is too short"):
        Settings.from_environ({"PETITION_SECRET": "short"}).secret()


@pytest.mark.parametrize(("value", "expected"), [("", 10), ("0", 0), ("25", 25), (" 3 ", 3)])
def test_the_rate_limit_comes_from_the_environment_else_the_site(value: str, expected: int) -> None:
    assert Settings.from_environ({"PETITION_RATE_LIMIT": value}).rate_limit(10) == expected


@pytest.mark.parametrize("value", ["-1", "ten", "2.5"])
def test_a_malformed_rate_limit_is_an_error_naming_it(value: str) -> None:
    with pytest.raises(ConfigError, match="PETITION_RATE_LIMIT"):
        Settings.from_environ({"PETITION_RATE_LIMIT": value}).rate_limit(10)


def test_content_defaults_to_the_folder_beside_the_app(tmp_path: Path) -> None:
    assert Settings.from_environ({}, tmp_path).content_dir() == tmp_path / "content"
    chosen = Settings.from_environ({"PETITION_CONTENT": "/srv/content"}, tmp_path)
    assert chosen.content_dir() == Path("/srv/content")


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"<!-- section:api -->(.*)<!-- /section:api -->", readme, re.S)

    assert section is not None
    for setting in SETTINGS:
        assert f"`{setting.name}`" in section.group(1), setting.name


def test_the_service_is_built_once_from_the_environment(tmp_path: Path) -> None:
    runtime_type = type(signing_app().runtime)
    environ = {
        "PETITION_CONTENT": str(CONTENT),
        "PETITION_STORE": f"sqlite:///{tmp_path}/signatures.db",
        "PETITION_SECRET": SECRET,
    }
    runtime = runtime_type(Settings.from_environ(environ))

    service = runtime.service()

    assert runtime.service() is service
    assert service.content.site.time_zone == "Pacific/Auckland"
    assert service.status(service.content.petitions[0].slug)["count"] >= 0


def test_a_missing_store_setting_fails_the_first_request_not_the_import() -> None:
    runtime = type(signing_app().runtime)(Settings.from_environ({"PETITION_CONTENT": str(CONTENT)}))

    with pytest.raises(ConfigError, match="PETITION_STORE"):
        runtime.service()


def test_importing_the_app_loads_no_yaml_no_boto3_and_no_content(tmp_path: Path) -> None:
    script = (
        "import json, sys, app; "
        "print(json.dumps(sorted(m for m in ('yaml', 'boto3', 'botocore', 'jinja2', "
        "'generator.content.loading', 'generator.store.dynamodb') if m in sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PETITION_CONTENT": str(tmp_path / "nowhere")}
    env.pop("PETITION_STORE", None)
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


def test_the_log_needs_both_its_keys_and_the_api_only_the_id_key() -> None:
    from generator.log.note import Signer

    signer, id_key = Signer.generate("petitions.example.org"), "ab" * 32
    both = Settings.from_environ(
        {"PETITION_LOG_KEY": signer.secret(), "PETITION_LOG_ID_KEY": id_key}
    )
    keys = both.log_keys()
    assert keys is not None and keys.id_key == bytes.fromhex(id_key)
    assert str(keys.signer.verifier) == str(signer.verifier)
    assert Settings.from_environ({}).log_keys() is None  # no log kept
    assert Settings.from_environ({}).log_id_key() is None

    api = Settings.from_environ({"PETITION_LOG_ID_KEY": id_key})  # what the signing API gets
    assert api.log_id_key() == bytes.fromhex(id_key)
    with pytest.raises(ConfigError, match="PETITION_LOG_KEY is not set"):
        api.log_keys()
    with pytest.raises(ConfigError, match=r"\$PETITION_LOG_ID_KEY: expected at least 32 bytes"):
        Settings.from_environ({"PETITION_LOG_ID_KEY": "abcd"}).log_id_key()
    with pytest.raises(ConfigError, match=r"\$PETITION_LOG_KEY: expected PRIVATE\+KEY"):
        Settings.from_environ({"PETITION_LOG_KEY": "x", "PETITION_LOG_ID_KEY": id_key}).log_keys()

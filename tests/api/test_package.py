"""`chalice package` really ships the shared generator package and the content.

The project is copied into tmp_path (chalice writes a build cache into the project), packaged
with the real command (which pip-downloads requirements.txt for Lambda's platform), unzipped,
and the app is imported and called from the unzipped folder in a Python started with `-S`:
no site-packages, so everything it uses must come from the zip, as in Lambda.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .support import FUNCTIONS

REPO = FUNCTIONS.parent
SITE_YAML = """\
name: Packaged Petitions
base_url: https://petitions.example.org
time_zone: Pacific/Auckland
language: en-NZ
organisation: Example Org
privacy_url: https://petitions.example.org/privacy
milestones: [10, 25, 50]
"""
PETITION_MD = """\
---
title: Keep the library open on Sundays
target: The Council
ask: Keep the library open on Sundays.
created: 2024-01-20T10:00:00+13:00
imported:
  count: 9
---
Sundays are when families can visit.
"""
CALL_APP = """
import email, email.policy, json, os, re, sys
from pathlib import Path
import app
import generator, yaml
from chalice.app import Chalice

def call(method, resource, params, body=None, kind="application/json"):
    event = {
        "requestContext": {"httpMethod": method, "resourcePath": resource,
                           "identity": {"sourceIp": "198.51.100.7"}, "stage": "api"},
        "headers": {"content-type": kind},
        "multiValueQueryStringParameters": None, "pathParameters": params,
        "stageVariables": {}, "body": body, "isBase64Encoded": False,
    }
    response = app.app(event, None)
    text = response["body"]
    is_json = response["headers"].get("Content-Type") == "application/json"
    return response["statusCode"], json.loads(text) if is_json else text, response["headers"]

slug = {"slug": "keep-the-library-open"}
signed = call("POST", "/petitions/{slug}/signatures", slug,
              json.dumps({"name": "Ada", "email": "ada@example.org"}))[:2]
(mail,) = Path(os.environ["PETITION_OUTBOX"]).glob("*.eml")
message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
text = message.get_body(preferencelist=("plain",)).get_content()
ref = re.search(r"/confirm/([A-Za-z0-9_.-]+)", text).group(1)
params = {**slug, "ref": ref}
page = call("GET", "/petitions/{slug}/confirm/{ref}", params)
confirmed = call("POST", "/petitions/{slug}/confirm/{ref}", params, "choice=confirm",
                 "application/x-www-form-urlencoded")
# The aggregator's counting, from the zip too (in Lambda it reads the table's stream)
from chalicelib.runtime import runtime
from generator.counting.sources import SqliteFeed
counted = runtime.counter().drain(SqliteFeed(runtime.service().store))
runtime.service().tallies.forget()  # counted by this process: read afresh, not a second late
read = call("GET", "/petitions/{slug}", slug)[:2]
print(json.dumps({
    "modules": {m.__name__: m.__file__ for m in (app, generator, yaml, sys.modules["chalice"],
                                                  sys.modules["generator.counting.counter"])},
    "boto3_loaded": "boto3" in sys.modules,
    "signed": signed, "read": read, "subject": message["Subject"],
    "page": [page[0], "Confirm my signature" in page[1]],
    "confirmed": [confirmed[0], confirmed[2].get("Location")], "counted": counted,
}))
"""


def _copy_project(root: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "deployments")
    shutil.copytree(REPO / "generator", root / "generator", ignore=ignore)

    def not_packaged(folder: str, names: list[str]) -> set[str]:
        stale = {"content", "templates"} if Path(folder).name == "vendor" else set()
        return ignore(folder, names) | (stale & set(names))

    shutil.copytree(FUNCTIONS, root / "functions", symlinks=True, ignore=not_packaged)
    content = root / "functions" / "vendor" / "content"  # where packaging puts the content
    (content / "petitions").mkdir(parents=True)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (content / "petitions" / "keep-the-library-open.md").write_text(PETITION_MD, encoding="utf-8")
    shutil.copytree(REPO / "templates", root / "functions" / "vendor" / "templates")  # likewise
    return root / "functions"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The unzipped deployment package and the CloudFormation template beside it."""
    root = tmp_path_factory.mktemp("package")
    project = _copy_project(root)
    assert (project / "vendor" / "generator").is_symlink()
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    chalice = Path(sys.executable).parent / "chalice"
    subprocess.run(
        [str(chalice), "package", "--stage", "api", str(root / "out")],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    unzipped = root / "unzipped"
    with zipfile.ZipFile(root / "out" / "deployment.zip") as archive:
        archive.extractall(unzipped)
    template = json.loads((root / "out" / "sam.json").read_text(encoding="utf-8"))
    return unzipped, template


def test_the_package_signs_with_only_what_is_inside_it(
    packaged: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    unzipped, _ = packaged
    assert not (unzipped / "generator").is_symlink()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PETITION_STORE": f"sqlite:///{tmp_path}/signatures.db",
        "PETITION_SECRET": "packaged-test-secret",
        "PETITION_OUTBOX": str(tmp_path / "outbox"),  # the default file mailer: mail to read
    }
    run = subprocess.run(
        [sys.executable, "-S", "-c", textwrap.dedent(CALL_APP)],
        cwd=unzipped,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    for name, file in result["modules"].items():
        assert Path(file).resolve().is_relative_to(unzipped.resolve()), name
    assert result["boto3_loaded"] is False
    assert result["signed"][0] == 202  # confirmation is required: the site's default
    assert result["subject"].startswith("Please confirm your signature: ")
    assert result["page"] == [200, True]
    assert result["confirmed"] == [303, "/petitions/keep-the-library-open/confirmed/"]
    assert result["counted"] == 2  # the pending signature, then its confirmation
    assert result["read"][0] == 200
    assert (result["read"][1]["count"], result["read"][1]["pending"]) == (10, 0)
    assert result["read"][1]["milestones"][0]["count"] == 10


def test_the_template_has_the_api_stage_and_no_cors_preflight(
    packaged: tuple[Path, dict[str, Any]],
) -> None:
    _, template = packaged
    api = template["Resources"]["RestAPI"]["Properties"]
    paths = api["DefinitionBody"]["paths"]

    assert api["StageName"] == "api"
    assert set(paths) == {
        "/petitions/{slug}",
        "/petitions/{slug}/signatures",
        "/petitions/{slug}/confirm/{ref}",
        "/petitions/{slug}/unsubscribe/{ref}/{token}",
    }
    assert not any("options" in methods for methods in paths.values())
    assert template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"] == {
        "PETITION_STORE": "dynamodb://petitions"
    }

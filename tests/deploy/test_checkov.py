"""The packaged stack passes the checkov security scanner: nothing fails, and each check we
skip says why in the template (`Metadata: {"checkov": {"skip": [{"id", "comment"}]}}`).

checkov lives in its own virtualenv, .venv-tools/ (`make tools`), because it pins boto3 and
networkx below what the project uses. It scans offline (`--skip-download`).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, Package

CHECKOV = ROOT / ".venv-tools" / "bin" / "checkov"

# Skips whose reason is "a condition turns this on": with the condition true, the check must
# pass without the skip. (logical id, check id) -> the condition named in the template.
CONDITIONAL = {
    ("Distribution", "CKV_AWS_86"): "LogAccess",  # CloudFront access logs
    ("RestAPI", "CKV_AWS_76"): "LogAccess",  # API Gateway access logs
    ("Distribution", "CKV_AWS_174"): "HasDomain",  # TLSv1.2_2021 needs our own certificate
    ("Distribution", "CKV_AWS_68"): "HasRateLimit",  # the web ACL of RateLimitPerFiveMinutes
}


def checkov() -> str:
    """The checkov executable: .venv-tools/ first, then PATH; fails (never skips) if absent."""
    found = str(CHECKOV) if CHECKOV.is_file() else shutil.which("checkov")
    assert found, f"checkov is missing: expected {CHECKOV}; run `make tools`"
    return found


def scan(template: dict[str, Any], folder: Path) -> dict[str, Any]:
    """checkov's results for one template (passed_checks, failed_checks, skipped_checks…)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sam.json"
    path.write_text(json.dumps(template, indent=1), encoding="utf-8")
    done = subprocess.run(
        [checkov(), "-f", str(path), "--framework", "cloudformation", "--skip-download",
         "--compact", "--output", "json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), f"checkov failed (exit {done.returncode}):\n{done.stderr}"
    report = json.loads(done.stdout)
    assert isinstance(report, dict) and report["check_type"] == "cloudformation", done.stdout
    assert report["summary"]["parsing_errors"] == 0, report["summary"]
    results: dict[str, Any] = report["results"]
    return results


def named(checks: list[dict[str, Any]]) -> list[str]:
    """`CHECK_ID resource: name` for each check, to read in a failure."""
    return [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in checks]


def by_resource(checks: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(logical id, check id) of each check."""
    return {(c["resource"].rsplit(".", 1)[-1], c["check_id"]) for c in checks}


def skips(template: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Every skip the template declares: (logical id, check id) -> its comment."""
    return {
        (name, skip.get("id", "")): skip.get("comment", "")
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    }


_NO_VALUE = object()  # what {"Ref": "AWS::NoValue"} resolves to: the key or item goes


def resolve(node: Any, conditions: dict[str, bool]) -> Any:
    """`node` with each Fn::If decided by `conditions` and AWS::NoValue dropped."""
    if isinstance(node, list):
        return [v for v in (resolve(x, conditions) for x in node) if v is not _NO_VALUE]
    if not isinstance(node, dict):
        return node
    if node == {"Ref": "AWS::NoValue"}:
        return _NO_VALUE
    if set(node) == {"Fn::If"}:
        name, when_true, when_false = node["Fn::If"]
        return resolve(when_true if conditions[name] else when_false, conditions)
    resolved = {k: resolve(v, conditions) for k, v in node.items()}
    return {k: v for k, v in resolved.items() if v is not _NO_VALUE}


@pytest.fixture(scope="module")
def scanned(packaged: Package, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """checkov's results for the packaged template, as it is."""
    return scan(packaged.template, tmp_path_factory.mktemp("checkov"))


def test_checkov_finds_nothing_failed_and_every_skip_gives_its_reason(
    packaged: Package, scanned: dict[str, Any]
) -> None:
    results = scanned
    declared = skips(packaged.template)
    conditional = {  # resources made only when a condition holds, which checkov leaves out
        name for name, r in packaged.template["Resources"].items() if "Condition" in r
    }

    assert named(results["failed_checks"]) == []
    for (resource, check), comment in declared.items():
        assert comment.strip() and "\n" not in comment, f"{resource} {check}: no one-line reason"
    for check in results["skipped_checks"]:
        assert check["check_result"].get("suppress_comment", "").strip(), named([check])
    # Every skip stands for a check checkov runs and would fail: none is stale.
    expected = {(r, c) for r, c in declared if r not in conditional}
    assert by_resource(results["skipped_checks"]) == expected
    assert len(results["passed_checks"]) >= 60


def test_the_asynchronous_functions_have_a_dead_letter_queue_and_queues_are_encrypted(
    scanned: dict[str, Any],
) -> None:
    results = scanned

    dlq = {c["resource"] for c in results["passed_checks"] if c["check_id"] == "CKV_AWS_116"}
    assert dlq == {
        "AWS::Serverless::Function.Writeback",
        "AWS::Serverless::Function.Reconcile",
        "AWS::Serverless::Function.Anonymise",
        "AWS::Serverless::Function.Bounces",
    }
    encrypted = {c["resource"] for c in results["passed_checks"] if c["check_id"] == "CKV_AWS_27"}
    assert encrypted == {
        "AWS::SQS::Queue.WritebackDeadLetterQueue",
        "AWS::SQS::Queue.UpkeepDeadLetterQueue",
        "AWS::SQS::Queue.MailQueue",
        "AWS::SQS::Queue.MailDeadLetterQueue",
        "AWS::SQS::Queue.BounceDeadLetterQueue",
        "AWS::SQS::Queue.AggregatorFailureQueue",
    }
    topics = {c["resource"] for c in results["passed_checks"] if c["check_id"] == "CKV_AWS_26"}
    assert topics == {"AWS::SNS::Topic.MailEventsTopic", "AWS::SNS::Topic.AlertTopic"}


def test_with_logs_a_domain_and_a_rate_limit_on_the_conditional_skips_are_not_needed(
    packaged: Package, tmp_path: Path
) -> None:
    # checkov scans with the parameters' defaults and does not decide Fn::If: decide them here,
    # all true (logs, a domain, the WAF rate rule), and take away the skips that only stand for
    # "a parameter turns this on".
    conditions = dict.fromkeys(CONDITIONAL.values(), True)
    template = resolve(copy.deepcopy(packaged.template), conditions)
    for name, check in CONDITIONAL:
        resource = template["Resources"][name]
        listed = resource["Metadata"]["checkov"]["skip"]
        resource["Metadata"]["checkov"]["skip"] = [s for s in listed if s["id"] != check]
    for resource in template["Resources"].values():
        resource.pop("Condition", None)  # LogAccess: the log bucket and group are scanned too

    results = scan(template, tmp_path)

    assert named(results["failed_checks"]) == []
    assert set(CONDITIONAL) <= by_resource(results["passed_checks"])
    assert by_resource(results["skipped_checks"]) == set(skips(template))  # the log bucket's too
    scanned = {name for name, _ in by_resource(results["passed_checks"])}
    assert {"AccessLogBucket", "ApiAccessLogGroup"} <= scanned
    assert ("RateLimitAcl", "CKV_AWS_192") in by_resource(results["skipped_checks"])  # scanned


def test_checkov_would_catch_an_unversioned_bucket(packaged: Package, tmp_path: Path) -> None:
    broken = copy.deepcopy(packaged.template)
    del broken["Resources"]["SiteBucket"]["Properties"]["VersioningConfiguration"]

    results = scan(broken, tmp_path)

    assert named(results["failed_checks"]) == [
        "CKV_AWS_21 AWS::S3::Bucket.SiteBucket: Ensure the S3 bucket has versioning enabled"
    ]

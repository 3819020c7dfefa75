"""The stack counts from the table's stream: the aggregator's event source and role, the
refresh schedule, count files cached seconds at the edge, and the optional WAF rate rule."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import zipfile
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from generator.render.countfile import COUNT_CACHE, count_path
from generator.store.dynamodb_items import SIGNATURE_SK, batch_key, count_key, log_key
from generator.writeback.publish import cache_control, content_type

from .conftest import Package
from .test_checkov import resolve

TABLE = {"Fn::GetAtt": ["SignaturesTable", "Arn"]}
STREAM_ARN = {"Fn::GetAtt": ["SignaturesTable", "StreamArn"]}
COUNT_FILES = {"Fn::Sub": "${SiteBucket.Arn}/petitions/*/count.json"}
# what the counter publishes beside them: each petition's public log, and the log's key
PUBLISHED = [
    COUNT_FILES,
    {"Fn::Sub": "${SiteBucket.Arn}/petitions/*/log/*"},
    {"Fn::Sub": "${SiteBucket.Arn}/log/key.txt"},
]
LOG_KEYS = {"PETITION_LOG_KEY": {"Ref": "LogKey"}, "PETITION_LOG_ID_KEY": {"Ref": "LogIdKey"}}
READ_LOG_LEAVES = {
    "Effect": "Allow",
    "Action": "dynamodb:Query",
    "Resource": {"Fn::GetAtt": ["SignaturesTable", "Arn"]},
    "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["log#*"]}},
}
WRITEBACK = {
    "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}"
    ":function:${AWS::StackName}-writeback"
}
NO_VALUE = {"Ref": "AWS::NoValue"}


def grants(package: Package, role: str) -> dict[str, dict[str, Any]]:
    """A role's statements by Sid, without the Sid (Effect, Action, Resource, Condition)."""
    policies = package.template["Resources"][role]["Properties"]["Policies"]
    return {
        s["Sid"]: {k: v for k, v in s.items() if k != "Sid"}
        for p in policies for s in p["PolicyDocument"]["Statement"]
    }  # fmt: skip


def allow(
    action: str | list[str], resource: Any, condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An Allow statement as the template writes it."""
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return statement | ({"Condition": condition} if condition else {})


def logs(group: str) -> dict[str, Any]:
    """The statement letting a function write to its own log group only."""
    return allow(["logs:CreateLogStream", "logs:PutLogEvents"], {"Fn::GetAtt": [group, "Arn"]})


def test_the_aggregator_reads_the_stream_one_batch_per_shard_and_never_bisects(
    packaged: Package,
) -> None:
    resources = packaged.template["Resources"]
    aggregator = resources["Aggregator"]
    function = aggregator["Properties"]
    (source,) = function["Events"].values()
    props = source["Properties"]

    assert function["Handler"] == "app.count_signatures"
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-aggregator"}
    assert source["Type"] == "DynamoDB"
    # app.py's placeholder is replaced by the table's own stream
    assert props["Stream"] == STREAM_ARN
    assert props["StartingPosition"] == "TRIM_HORIZON"  # from the stream's first record
    assert 100 <= props["BatchSize"] <= 10_000
    assert props["MaximumBatchingWindowInSeconds"] == 3  # one batch per shard per 3 s at most
    assert props["ParallelizationFactor"] == 1  # one batch per shard at a time, in order
    # A bisected batch's halves get new ids: a batch that failed after it was applied would
    # be counted again. So a failing batch is retried whole, holding its shard...
    assert props["BisectBatchOnFunctionError"] is False
    assert props["MaximumRetryAttempts"] == -1
    # ...for hours, then set aside while its records are still in the stream (24 hours)
    assert 3600 <= props["MaximumRecordAgeInSeconds"] < 24 * 3600
    failures = {"Fn::GetAtt": ["AggregatorFailureQueue", "Arn"]}
    assert props["DestinationConfig"] == {"OnFailure": {"Type": "SQS", "Destination": failures}}
    (only,) = props["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == {"dynamodb": {"Keys": {"sk": {"S": [SIGNATURE_SK]}}}}
    notes = " ".join(aggregator["Metadata"]["EventSource"])
    assert "BisectBatchOnFunctionError" in notes and "counted again" in notes
    assert "ParallelizationFactor 1" in notes and "one writer" in notes
    assert function["Environment"]["Variables"] == {
        "PETITION_STORE": {"Fn::Sub": "dynamodb://${SignaturesTable}"},
        "PETITION_SITE_BUCKET": {"Ref": "SiteBucket"},
        "PETITION_WRITEBACK_FUNCTION": resources["Writeback"]["Properties"]["FunctionName"],
        **LOG_KEYS,  # they append to the logs and sign their checkpoints
    }
    assert function["Timeout"] >= 30  # the counter's patient retries fit inside it


def test_a_stuck_or_failed_batch_raises_an_alarm(packaged: Package) -> None:
    resources = packaged.template["Resources"]
    queue = resources["AggregatorFailureQueue"]["Properties"]
    failed = resources["CountingFailedAlarm"]["Properties"]
    behind = resources["CountingBehindAlarm"]["Properties"]

    assert queue["KmsMasterKeyId"] == "alias/aws/sqs"
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert failed["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["AggregatorFailureQueue", "QueueName"]}}
    ]
    assert (behind["Namespace"], behind["MetricName"]) == ("AWS/Lambda", "IteratorAge")
    assert behind["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "Aggregator"}}]
    assert behind["Threshold"] <= 5 * 60 * 1000  # milliseconds behind the stream
    for alarm in (failed, behind):
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]
        assert alarm["TreatMissingData"] == "notBreaching"
    outputs = packaged.template["Outputs"]
    assert outputs["AggregatorFailureQueueUrl"]["Value"] == {"Ref": "AggregatorFailureQueue"}


def test_the_aggregator_may_count_and_nothing_else(packaged: Package) -> None:
    keys = ["count#*", "batch#*", "log#*"]  # count items, batch markers, log leaves
    counts_and_markers = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": keys}}

    assert grants(packaged, "AggregatorRole") == {
        "ReadStream": allow(
            ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            STREAM_ARN,
        ),
        "ListStreams": allow(
            "dynamodb:ListStreams", {"Fn::Sub": "${SignaturesTable.Arn}/stream/*"}
        ),
        # read and write count items, batch markers and log leaves only: never a signature,
        # never a scan; the log's leaves are read back by key to publish them
        "ApplyCounts": allow(
            ["dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            TABLE, condition=counts_and_markers,
        ),
        "ReadLogLeaves": READ_LOG_LEAVES,
        "WriteCountFiles": allow(["s3:GetObject", "s3:PutObject"], PUBLISHED),  # HEAD is Get
        "RequestWriteBack": allow("lambda:InvokeFunction", WRITEBACK),
        "FailedBatches": allow(
            "sqs:SendMessage", {"Fn::GetAtt": ["AggregatorFailureQueue", "Arn"]}
        ),
        "Logs": logs("AggregatorLogGroup"),
    }  # fmt: skip
    # the keys the store writes while counting are the ones the condition lets through
    for key in (count_key("save-the-park"), batch_key("shard-1:0f3a"), log_key("x", 0)):
        assert any(fnmatchcase(key["pk"]["S"], pattern) for pattern in keys)
    assert not fnmatchcase("sig#save-the-park#0a1b", "count#*")
    assert fnmatchcase(count_path("save-the-park"), "petitions/*/count.json")


def test_the_refresh_sweeps_every_minute_one_at_a_time_and_may_only_do_that(
    packaged: Package,
) -> None:
    resources = packaged.template["Resources"]
    function = resources["Refresh"]["Properties"]

    assert function["Handler"] == "app.refresh_counts"
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-refresh"}
    assert [e["Properties"]["Schedule"] for e in function["Events"].values()] == ["rate(1 minute)"]
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["EventInvokeConfig"]["MaximumRetryAttempts"] == 0  # the next minute is
    assert function["Environment"]["Variables"] == {
        "PETITION_STORE": {"Fn::Sub": "dynamodb://${SignaturesTable}"},
        "PETITION_SITE_BUCKET": {"Ref": "SiteBucket"},
        "PETITION_WRITEBACK_FUNCTION": resources["Writeback"]["Properties"]["FunctionName"],
        **LOG_KEYS,  # they append to the logs and sign their checkpoints
    }
    assert grants(packaged, "RefreshRole") == {
        "ReadCountsAndClaim": allow(
            ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], TABLE,
            condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["count#*"]}},
        ),
        "ReadLogLeaves": READ_LOG_LEAVES,
        "WriteCountFiles": allow(["s3:GetObject", "s3:PutObject"], PUBLISHED),
        # pages are rendered by the write-back function only: one render at a time
        "RequestWriteBack": allow("lambda:InvokeFunction", WRITEBACK),
        "Logs": logs("RefreshLogGroup"),
    }  # fmt: skip


def test_count_files_are_cached_seconds_at_the_edge(packaged: Package) -> None:
    resources = packaged.template["Resources"]
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    default = config["DefaultCacheBehavior"]
    (counts,) = [b for b in config["CacheBehaviors"] if b["PathPattern"].endswith("count.json")]
    policy = resources[counts["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]

    assert fnmatchcase("/" + count_path("save-the-park"), counts["PathPattern"])
    assert counts["TargetOriginId"] == "site"
    assert counts["AllowedMethods"] == ["GET", "HEAD"]
    assert counts["ResponseHeadersPolicyId"] == default["ResponseHeadersPolicyId"]
    assert (policy["DefaultTTL"], policy["MaxTTL"]) == (5, 5)  # even if uploaded without a header
    assert policy["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"] == {
        "QueryStringBehavior": "none"  # ?t=... cannot bypass the edge and reach S3
    }
    # what the aggregator and deploy put with each count file
    assert cache_control(count_path("save-the-park")) == COUNT_CACHE == "public, max-age=5"
    assert content_type(count_path("save-the-park")) == "application/json"


def test_the_waf_rate_rule_is_there_only_when_the_parameter_is_set(packaged: Package) -> None:
    template = packaged.template
    parameter = template["Parameters"]["RateLimitPerFiveMinutes"]
    acl = template["Resources"]["RateLimitAcl"]
    (rule,) = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    api = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]

    assert (parameter["Type"], parameter["Default"]) == ("Number", 0)  # off unless asked for
    assert template["Conditions"]["HasRateLimit"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "RateLimitPerFiveMinutes"}, "0"]}]
    }
    assert acl["Condition"] == "HasRateLimit"
    assert config["WebACLId"] == {
        "Fn::If": ["HasRateLimit", {"Fn::GetAtt": ["RateLimitAcl", "Arn"]}, NO_VALUE]
    }
    # with the edge limiting, the API's own limit is off: a signature is one write
    assert api["PETITION_RATE_LIMIT"] == {"Fn::If": ["HasRateLimit", "0", NO_VALUE]}
    # WAF for CloudFront exists in us-east-1 only: the template refuses any other region
    rule_check = template["Rules"]["RateLimitNeedsUsEast1"]
    assert rule_check["RuleCondition"] == template["Conditions"]["HasRateLimit"]
    (assertion,) = rule_check["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    assert "us-east-1" in parameter["Description"]
    # the rule: per client address, signing and confirming POSTs only, a 429 like the API's
    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    assert rate["Limit"] == {"Ref": "RateLimitPerFiveMinutes"}
    assert (rate["AggregateKeyType"], rate["EvaluationWindowSec"]) == ("IP", 300)
    scope = rate["ScopeDownStatement"]["AndStatement"]["Statements"]
    matches = {
        (s["ByteMatchStatement"]["PositionalConstraint"], s["ByteMatchStatement"]["SearchString"])
        for s in scope
    }
    assert matches == {("EXACTLY", "POST"), ("STARTS_WITH", "/api/petitions/")}
    blocked = rule["Action"]["Block"]["CustomResponse"]
    assert blocked["ResponseCode"] == 429
    assert {"Name": "Retry-After", "Value": "60"} in blocked["ResponseHeaders"]
    body = acl["Properties"]["CustomResponseBodies"][blocked["CustomResponseBodyKey"]]
    assert json.loads(body["Content"])["error"]["code"] == "rate_limited"  # sign.js knows it
    for visibility in (acl["Properties"]["VisibilityConfig"], rule["VisibilityConfig"]):
        assert visibility["SampledRequestsEnabled"] is False  # samples hold viewers' addresses

    off = resolve(copy.deepcopy(template), {"HasRateLimit": False, "LogAccess": False,
                                           "HasDomain": False})  # fmt: skip
    off_config = off["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    assert "WebACLId" not in off_config
    assert "PETITION_RATE_LIMIT" not in off["Resources"]["APIHandler"]["Properties"][
        "Environment"]["Variables"]  # fmt: skip


HANDLERS = """
import json, app
names = {name: getattr(app, name).__class__.__name__ for name in dir(app)}
print(json.dumps({"functions": sorted(app.app.handler_map), "handlers": names}))
"""


def test_the_packaged_app_has_the_aggregator_and_refresh_functions(
    packaged: Package, tmp_path: Path
) -> None:
    with zipfile.ZipFile(packaged.packaged.zip) as archive:
        archive.extractall(tmp_path)
    # -S: no site-packages, only the zip (the API function imports app.py too, so the
    # aggregator's boto3-using code must not be imported with it)
    run = subprocess.run(
        [sys.executable, "-S", "-c", HANDLERS], cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": os.environ.get("PATH", "")}, timeout=60, check=False,
    )  # fmt: skip

    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert {"aggregator", "refresh", "writeback"} <= set(found["functions"])
    resources = packaged.template["Resources"]
    for function in ("Aggregator", "Refresh"):
        handler = resources[function]["Properties"]["Handler"].removeprefix("app.")
        assert handler in found["handlers"], handler  # what Lambda calls exists in the zip

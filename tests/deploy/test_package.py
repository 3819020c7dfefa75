"""`build.py package`: a deployment zip with everything the app needs, and a template that
cfn-lint accepts and that declares the whole stack, least-privilege IAM included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from generator.commands.main import main
from generator.ship.package import PackageError, package
from generator.store.dynamodb_table import STREAM, TTL_ATTRIBUTE, table_definition
from tests.support.fixture_site import CONTENT

from .conftest import FUNCTIONS, ROOT, Package, listing

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # AWS's managed cache policy


def _only(package: Package, kind: str) -> dict[str, Any]:
    found = package.resources(kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


def _statements(package: Package) -> list[dict[str, Any]]:
    statements = []
    for role in package.resources("AWS::IAM::Role").values():
        for policy in role["Properties"]["Policies"]:
            statements += policy["PolicyDocument"]["Statement"]
    return statements


def test_the_template_and_zip_land_side_by_side(packaged: Package) -> None:
    assert packaged.packaged.template.name == "sam.json"
    assert packaged.packaged.zip == packaged.packaged.template.with_name("deployment.zip")
    assert packaged.packaged.zip.stat().st_size > 100_000


def test_the_zip_holds_the_app_the_generator_the_content_and_the_templates(
    packaged: Package,
) -> None:
    members = packaged.members
    for needed in (
        "app.py",
        "chalicelib/handlers.py",
        "chalicelib/aggregator.py",
        "generator/counting/counter.py",
        "generator/store/dynamodb_stream.py",
        "generator/writeback/fresh.py",
        "generator/__init__.py",
        "generator/store/dynamodb.py",
        "content/site.yaml",
        "templates/petition.html",
        "yaml/__init__.py",
        "jinja2/__init__.py",
        "PIL/__init__.py",  # the write-back draws share cards and resizes pictures
        "fonts/DejaVuSans.ttf",  # the cards' fonts, where generator/render/fonts.py looks
        "fonts/DejaVuSans-Bold.ttf",
        "content/pictures/harbour-pool.jpg",  # a petition's picture, read by the write-back
    ):
        assert needed in members, needed
    petitions = {m for m in members if m.startswith("content/petitions/")}
    sources = [p for p in (CONTENT / "petitions").rglob("*") if p.is_file()]
    assert len(petitions) == len(sources) == 6  # 3 files and a bundle: index.md and 2 updates
    assert (
        "content/petitions/crossing-outside-the-school/updates/2024-02-20-council-replies.md"
        in petitions
    )
    assert not any("__pycache__" in m or m.startswith("infra/") for m in members)


def test_packaging_leaves_the_checkout_as_it_was(
    packaged: Package, functions_before: list[str]
) -> None:
    assert listing(FUNCTIONS / "vendor") + listing(FUNCTIONS / ".chalice") == functions_before
    assert (FUNCTIONS / "vendor" / "generator").is_symlink()


def test_cfn_lint_accepts_the_template_with_no_finding_at_all(packaged: Package) -> None:
    # Informational checks included: nothing is ignored.
    config = ManualArgs(regions=["us-east-1"], include_checks=["I"])
    findings = lint_file(packaged.packaged.template, config=config)

    assert [str(f) for f in findings] == []


def test_cfn_lint_would_catch_a_broken_template(packaged: Package, tmp_path: Path) -> None:
    broken = json.loads(json.dumps(packaged.template))
    broken["Resources"]["Distribution"]["Properties"]["DistributionConfig"]["Enabled"] = "yes"
    path = tmp_path / "sam.json"
    path.write_text(json.dumps(broken), encoding="utf-8")

    findings = lint_file(path, config=ManualArgs(regions=["us-east-1"]))

    assert any(f.rule.id.startswith("E") for f in findings)


def test_the_table_is_on_demand_recoverable_encrypted_and_shaped_like_the_store(
    packaged: Package,
) -> None:
    table = _only(packaged, "AWS::DynamoDB::Table")
    props = table["Properties"]
    expected = table_definition("ignored")

    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert props["KeySchema"] == expected["KeySchema"]
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str
    )
    assert props["GlobalSecondaryIndexes"] == expected["GlobalSecondaryIndexes"]
    # the counter's feed: the same images the store asks of the tables it makes itself
    assert props["StreamSpecification"] == {"StreamViewType": STREAM["StreamViewType"]}
    assert STREAM["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["DeletionPolicy"] == "Retain"


def test_the_bucket_is_private_and_only_cloudfront_may_read_it(packaged: Package) -> None:
    resources = packaged.template["Resources"]
    bucket = resources["SiteBucket"]["Properties"]
    policy = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]
    oac = _only(packaged, "AWS::CloudFront::OriginAccessControl")["Properties"]

    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allows == [
        next(s for s in allows if s["Principal"] == {"Service": "cloudfront.amazonaws.com"})
    ]
    assert allows[0]["Action"] == "s3:GetObject"
    source = allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${Distribution}")
    assert oac["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"


def test_the_bucket_keeps_old_versions_for_a_rollback_but_not_for_ever(packaged: Package) -> None:
    bucket = packaged.template["Resources"]["SiteBucket"]["Properties"]
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]

    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert rule["Status"] == "Enabled"
    assert 7 <= rule["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 90
    assert rule["ExpiredObjectDeleteMarker"] is True


def test_access_logs_are_off_unless_asked_for_and_then_kept_30_days(packaged: Package) -> None:
    resources = packaged.template["Resources"]
    parameter = packaged.template["Parameters"]["AccessLogs"]
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    api = resources["RestAPI"]["Properties"]

    assert (parameter["Default"], parameter["AllowedValues"]) == ("false", ["false", "true"])
    assert packaged.template["Conditions"]["LogAccess"] == {
        "Fn::Equals": [{"Ref": "AccessLogs"}, "true"]
    }
    bucket, group = resources["AccessLogBucket"], resources["ApiAccessLogGroup"]
    assert bucket["Condition"] == group["Condition"] == "LogAccess"
    assert resources["AccessLogBucketPolicy"]["Condition"] == "LogAccess"
    when, on, off = config["Logging"]["Fn::If"]
    assert (when, off) == ("LogAccess", {"Ref": "AWS::NoValue"})
    assert on["Bucket"] == {"Fn::GetAtt": ["AccessLogBucket", "DomainName"]}
    assert on["IncludeCookies"] is False
    when, on, off = api["AccessLogSetting"]["Fn::If"]
    assert (when, off) == ("LogAccess", {"Ref": "AWS::NoValue"})
    assert on["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert "sourceIp" not in on["Format"] and "userAgent" not in on["Format"]
    assert bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 30
    assert group["Properties"]["RetentionInDays"] == 30
    assert set(bucket["Properties"]["PublicAccessBlockConfiguration"].values()) == {True}


def test_failed_asynchronous_runs_land_in_an_encrypted_queue_the_function_may_send_to(
    packaged: Package,
) -> None:
    resources = packaged.template["Resources"]
    queues = {
        "Writeback": "WritebackDeadLetterQueue",
        "Reconcile": "UpkeepDeadLetterQueue",
        "Anonymise": "UpkeepDeadLetterQueue",
        "Bounces": "BounceDeadLetterQueue",  # SNS invokes it asynchronously
    }

    for function, queue in queues.items():
        target = {"Fn::GetAtt": [queue, "Arn"]}
        assert resources[function]["Properties"]["DeadLetterQueue"] == {
            "Type": "SQS", "TargetArn": target
        }, function  # fmt: skip
        role = resources[f"{function}Role"]["Properties"]
        sends = [
            s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]
            if s["Action"] == "sqs:SendMessage"
        ]  # fmt: skip
        assert [s["Resource"] for s in sends] == [target], function
        props = resources[queue]["Properties"]
        assert props["KmsMasterKeyId"] == "alias/aws/sqs"
        assert props["MessageRetentionPeriod"] == 14 * 24 * 3600  # SQS's longest
    assert "DeadLetterQueue" not in resources["APIHandler"]["Properties"]  # called synchronously


def test_anonymise_runs_daily_with_its_own_name_log_group_and_role(packaged: Package) -> None:
    resources = packaged.template["Resources"]
    function = resources["Anonymise"]["Properties"]
    group = resources["AnonymiseLogGroup"]["Properties"]

    assert function["Handler"] == "app.daily_anonymise"
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-anonymise"}
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${AWS::StackName}-anonymise"}
    assert function["Role"] == {"Fn::GetAtt": ["AnonymiseRole", "Arn"]}
    assert function["Environment"]["Variables"] == {
        "PETITION_STORE": {"Fn::Sub": "dynamodb://${SignaturesTable}"}
    }
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["Timeout"] >= 60
    assert [e["Properties"]["Schedule"] for e in function["Events"].values()] == ["rate(1 day)"]


def test_the_distribution_serves_the_site_and_forwards_the_api_on_one_origin(
    packaged: Package,
) -> None:
    config = _only(packaged, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    cache = packaged.template["Resources"][api["CachePolicyId"]["Ref"]]["Properties"]
    forwarded = packaged.template["Resources"][api["OriginRequestPolicyId"]["Ref"]]["Properties"]

    assert origins["site"]["OriginAccessControlId"] == {"Ref": "SiteOriginAccessControl"}
    assert origins["api"]["DomainName"] == {
        "Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.amazonaws.com"
    }
    assert origins["api"]["OriginPath"] == ""
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origins["api"]["OriginCustomHeaders"] == [
        {"HeaderName": "x-origin-verify", "HeaderValue": {"Ref": "OriginSecret"}}
    ]
    for behaviour in (default, api):
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behaviour["Compress"] is True
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert api["TargetOriginId"] == "api"
    assert "POST" in api["AllowedMethods"]
    assert api["CachedMethods"] == ["GET", "HEAD"]
    ttl = cache["CachePolicyConfig"]
    assert (ttl["MinTTL"], ttl["DefaultTTL"]) == (0, 0)
    assert 5 <= ttl["MaxTTL"] <= 60  # honours the count route's max-age=5, never more
    headers = forwarded["OriginRequestPolicyConfig"]["HeadersConfig"]
    assert "CloudFront-Viewer-Address" in headers["Headers"]
    assert "Content-Type" in headers["Headers"]
    assert "Host" not in headers["Headers"]
    assert _only(packaged, "AWS::CloudFront::Function")["Properties"]["AutoPublish"] is True


def test_the_functions_are_wired_to_the_stack_and_secrets_are_parameters(
    packaged: Package,
) -> None:
    resources = packaged.template["Resources"]
    api = resources["APIHandler"]["Properties"]
    writeback = resources["Writeback"]["Properties"]
    parameters = packaged.template["Parameters"]

    assert api["Environment"]["Variables"]["PETITION_STORE"] == {
        "Fn::Sub": "dynamodb://${SignaturesTable}"
    }
    assert api["Environment"]["Variables"]["PETITION_SECRET"] == {"Ref": "SigningSecret"}
    assert api["Environment"]["Variables"]["PETITION_ORIGIN_SECRET"] == {"Ref": "OriginSecret"}
    assert (
        api["Environment"]["Variables"]["PETITION_WRITEBACK_FUNCTION"] == writeback["FunctionName"]
    )
    assert writeback["Environment"]["Variables"]["PETITION_SITE_BUCKET"] == {"Ref": "SiteBucket"}
    assert writeback["Environment"]["Variables"]["PETITION_DISTRIBUTION_ID"] == {
        "Ref": "Distribution"
    }
    assert writeback["ReservedConcurrentExecutions"] == 1
    for name in ("SigningSecret", "OriginSecret"):
        assert parameters[name]["NoEcho"] is True
        assert "Default" not in parameters[name]
    assert resources["RestAPI"]["Properties"]["StageName"] == "api"


def test_the_readme_documents_every_stack_parameter(packaged: Package) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme[readme.index("<!-- section:deploy -->") : readme.index("<!-- /section:deploy")]

    missing = [name for name in packaged.template["Parameters"] if f"`{name}`" not in deploy]

    assert missing == [], "README.md, Deploy to AWS, does not name these stack parameters"


def test_iam_grants_name_their_resources_and_only_the_actions_used(packaged: Package) -> None:
    statements = _statements(packaged)
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }

    assert all(s["Effect"] == "Allow" for s in statements)
    patterns = ("${SiteBucket.Arn}/*", "${SiteBucket.Arn}/petitions/*/count.json",
                "${SiteBucket.Arn}/petitions/*/log/*",
                "${SignaturesTable.Arn}/stream/*")  # fmt: skip
    for statement in statements:
        resource = json.dumps(statement["Resource"])
        for pattern in patterns:
            resource = resource.replace(pattern, "")
        assert "*" not in resource, statement
    assert actions == {
        "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:Scan", "dynamodb:Query", "dynamodb:ConditionCheckItem",
        # the aggregator reads the table's stream (what Lambda's event source mapping needs)
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "s3:GetObject", "s3:PutObject", "s3:ListBucket", "cloudfront:CreateInvalidation",
        "lambda:InvokeFunction", "logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage",
        # the mailer: SES v2 SendEmail with raw content is authorised as ses:SendRawEmail; the
        # three SQS actions are what Lambda's event source mapping needs to poll the queue
        "ses:SendRawEmail", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
    }  # fmt: skip
    writeback_role = packaged.template["Resources"]["WritebackRole"]["Properties"]
    writeback_actions = json.dumps(writeback_role["Policies"])
    assert "dynamodb:PutItem" not in writeback_actions  # the write-back only reads counts
    assert "dynamodb:Scan" not in writeback_actions  # by key: a milestone never scans
    reconcile_role = packaged.template["Resources"]["ReconcileRole"]["Properties"]
    reconcile_actions = json.dumps(reconcile_role["Policies"])
    assert "dynamodb:PutItem" not in reconcile_actions  # reconcile never adds a signature
    anonymise_role = packaged.template["Resources"]["AnonymiseRole"]["Properties"]
    anonymise = {
        s["Sid"]: (s["Action"], s["Resource"])
        for p in anonymise_role["Policies"] for s in p["PolicyDocument"]["Statement"]
    }  # fmt: skip
    assert anonymise == {  # reads through the export index, blanks fields: never adds or deletes
        "BlankPersonalFields": ("dynamodb:UpdateItem", {"Fn::GetAtt": ["SignaturesTable", "Arn"]}),
        "ListSignatures": ("dynamodb:Query", {"Fn::Sub": "${SignaturesTable.Arn}/index/gsi1"}),
        "DeadLetters": ("sqs:SendMessage", {"Fn::GetAtt": ["UpkeepDeadLetterQueue", "Arn"]}),
        "Logs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::GetAtt": ["AnonymiseLogGroup", "Arn"]},
        ),
    }


def _grants(package: Package, role: str) -> dict[str, tuple[Any, Any]]:
    """A role's statements: Sid -> (Action, Resource)."""
    policies = package.template["Resources"][role]["Properties"]["Policies"]
    return {
        s["Sid"]: (s["Action"], s["Resource"])
        for p in policies for s in p["PolicyDocument"]["Statement"]
    }  # fmt: skip


def test_the_mail_functions_may_do_only_their_own_part(packaged: Package) -> None:
    table = {"Fn::GetAtt": ["SignaturesTable", "Arn"]}
    queue = {"Fn::GetAtt": ["MailQueue", "Arn"]}

    signing = _grants(packaged, "ApiHandlerRole")
    assert signing["QueueMail"] == ("sqs:SendMessage", queue)  # and nothing else of the queue
    assert [g for g in signing.values() if "MailQueue" in json.dumps(g)] == [signing["QueueMail"]]
    assert _grants(packaged, "MailerRole") == {  # no table, no secret: it only sends
        "SendMail": (
            "ses:SendRawEmail",
            [
                {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
                 ":identity/${MailDomain}"},
                {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
                 ":configuration-set/${MailConfigurationSet}"},
            ],
        ),
        "TakeLetters": (
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queue
        ),
        "Logs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::GetAtt": ["MailerLogGroup", "Arn"]},
        ),
    }  # fmt: skip
    assert _grants(packaged, "BouncesRole") == {  # moves a pending signature to bounced
        "MarkBounced": ("dynamodb:UpdateItem", table),
        "DeadLetters": ("sqs:SendMessage", {"Fn::GetAtt": ["BounceDeadLetterQueue", "Arn"]}),
        "Logs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::GetAtt": ["BouncesLogGroup", "Arn"]},
        ),
    }


def test_signing_queues_mail_for_a_mailer_capped_to_the_send_rate(packaged: Package) -> None:
    resources = packaged.template["Resources"]
    api = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    mailer = resources["Mailer"]["Properties"]
    (source,) = mailer["Events"].values()
    queue = resources["MailQueue"]["Properties"]
    dead = resources["MailDeadLetterQueue"]["Properties"]
    concurrency = packaged.template["Parameters"]["MailConcurrency"]

    assert (api["PETITION_MAILER"], api["PETITION_MAIL_QUEUE"]) == ("ses", {"Ref": "MailQueue"})
    assert mailer["Handler"] == "app.send_mail"
    assert mailer["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-mailer"}
    assert mailer["Environment"]["Variables"]["PETITION_SES_CONFIGURATION_SET"] == {
        "Ref": "MailConfigurationSet"
    }
    assert "PETITION_SECRET" not in mailer["Environment"]["Variables"]
    # The event source is the stack's own queue: app.py's name, filled in by Fn::Sub.
    assert source["Type"] == "SQS"
    assert source["Properties"]["Queue"] == {
        "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:"
        + queue["QueueName"]["Fn::Sub"]
    }
    # Without this, Lambda would delete a whole batch however many letters failed.
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mailer["ReservedConcurrentExecutions"] == {"Ref": "MailConcurrency"}
    assert source["Properties"]["ScalingConfig"] == {
        "MaximumConcurrency": {"Ref": "MailConcurrency"}
    }
    assert (concurrency["Default"], concurrency["MinValue"]) == (5, 2)  # SQS's minimum is 2
    assert queue["VisibilityTimeout"] >= 6 * mailer["Timeout"]  # AWS's advice for SQS → Lambda
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["MailDeadLetterQueue", "Arn"]
    }
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 5
    for props in (queue, dead):
        assert props["KmsMasterKeyId"] == "alias/aws/sqs"
    assert dead["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_ses_bounces_and_complaints_reach_the_bounce_function_and_are_suppressed(
    packaged: Package,
) -> None:
    resources = packaged.template["Resources"]
    config_set = resources["MailConfigurationSet"]["Properties"]
    destination = resources["MailEventDestination"]["Properties"]
    topic = resources["MailEventsTopic"]["Properties"]
    (publish,) = resources["MailEventsTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    key = {s["Sid"]: s for s in resources["MailKey"]["Properties"]["KeyPolicy"]["Statement"]}
    bounces = resources["Bounces"]["Properties"]
    (source,) = bounces["Events"].values()
    config_set_arn = {
        "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
        ":configuration-set/${MailConfigurationSet}"
    }

    assert config_set["SuppressionOptions"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    assert destination["ConfigurationSetName"] == {"Ref": "MailConfigurationSet"}
    assert destination["EventDestination"]["Enabled"] is True
    assert sorted(destination["EventDestination"]["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["EventDestination"]["SnsDestination"] == {
        "TopicARN": {"Ref": "MailEventsTopic"}
    }
    # Encrypted with a key SES may use (SNS's AWS-managed key admits no other service).
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["MailKey", "Arn"]}
    assert key["SesPublishesEvents"]["Principal"] == {"Service": "ses.amazonaws.com"}
    (context,) = key["SesPublishesEvents"]["Condition"]["StringEquals"].items()
    assert context == (  # SNS encrypts each topic's messages under its own ARN as context
        "kms:EncryptionContext:aws:sns:topicArn",
        {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:"
         + topic["TopicName"]["Fn::Sub"]},
    )  # fmt: skip
    assert resources["MailKey"]["Properties"]["EnableKeyRotation"] is True
    assert (publish["Effect"], publish["Action"]) == ("Allow", "sns:Publish")
    assert publish["Principal"] == {"Service": "ses.amazonaws.com"}
    assert publish["Condition"]["StringEquals"]["AWS:SourceArn"] == config_set_arn
    assert bounces["Handler"] == "app.mail_feedback"
    assert source["Type"] == "SNS"
    assert source["Properties"]["Topic"] == {
        "Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:"
        + topic["TopicName"]["Fn::Sub"]
    }
    assert "PETITION_SECRET" not in bounces["Environment"]["Variables"]


def test_alarms_warn_before_ses_reviews_the_account(packaged: Package) -> None:
    resources = packaged.template["Resources"]
    bounce = resources["BounceRateAlarm"]["Properties"]
    complaint = resources["ComplaintRateAlarm"]["Properties"]
    failed = resources["FailedMailAlarm"]["Properties"]

    assert (bounce["Namespace"], bounce["MetricName"]) == ("AWS/SES", "Reputation.BounceRate")
    assert bounce["Threshold"] == 0.04  # SES reviews at 5% and may pause sending at 10%
    assert complaint["MetricName"] == "Reputation.ComplaintRate"
    assert complaint["Threshold"] < 0.001  # SES reviews at 0.1%
    assert failed["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["MailDeadLetterQueue", "QueueName"]}}
    ]
    for alarm in (bounce, complaint, failed):
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"  # no mail sent is no alarm
        assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]
    assert resources["AlertEmailSubscription"]["Condition"] == "HasAlarmEmail"


def test_package_refuses_broken_content_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    (content / "petitions").mkdir(parents=True)
    (content / "site.yaml").write_text((CONTENT / "site.yaml").read_text())
    (content / "petitions" / "bad.md").write_text(
        "---\ntitle: Fix it\nstatus: pending\n---\nBody\n"
    )
    out = tmp_path / "dist"

    status = main(
        ["package", "--out", str(out), "--content", str(content), "--functions", str(FUNCTIONS)]
    )

    err = capsys.readouterr().err
    assert status == 1
    assert f"{content / 'petitions' / 'bad.md'}:3: status:" in err
    assert "nothing was packaged" in err
    assert not out.exists()


def test_package_names_a_missing_stack_template(tmp_path: Path) -> None:
    functions = tmp_path / "functions"
    (functions / ".chalice").mkdir(parents=True)
    (functions / ".chalice" / "config.json").write_text("{}")

    with pytest.raises(PackageError, match=r"infra/stack\.json: the stack template is missing"):
        package(tmp_path / "dist", functions=functions, content=CONTENT,
                templates=ROOT / "templates")  # fmt: skip

"""The signing API: routes only. The work is in chalicelib/ (HTTP) and generator/signing.py.

Deployed behind CloudFront on the site's own origin under /api (the API Gateway stage),
so no CORS is needed and none is enabled. The OpenAPI description is openapi.yaml.
"""

from typing import Any

from chalice.app import CloudWatchEvent, DynamoDBEvent, Rate, Response, SNSEvent, SQSEvent
from chalicelib import aggregator, handlers, mailer
from chalicelib.body import ACCEPTED
from chalicelib.problems import shape_chalice_errors
from chalicelib.runtime import runtime
from chalicelib.threads import ThreadSafeChalice

app = ThreadSafeChalice(app_name="petitions")  # one request per thread, not per app
app.register_middleware(shape_chalice_errors, "http")


@app.route(
    "/petitions/{slug}/signatures",
    methods=["POST"],
    content_types=list(ACCEPTED),
)
def sign(slug: str) -> Response:
    """Sign a petition: 202 and a mail to confirm (201 with the count when confirmation is
    off); an HTML form gets 303 to the check-email (or thank-you) page."""
    request = app.current_request
    assert request is not None, "Chalice sets the request before it calls a route"
    return handlers.sign(request, slug)


@app.route("/petitions/{slug}/confirm/{ref}", methods=["GET"], content_types=["*/*"])
def confirmation_page(slug: str, ref: str) -> Response:
    """The page a confirmation link opens (Confirm, or "This wasn't me"); changes nothing."""
    return handlers.confirmation_page(slug, ref)


@app.route("/petitions/{slug}/confirm/{ref}", methods=["POST"], content_types=list(ACCEPTED))
def confirm(slug: str, ref: str) -> Response:
    """Confirm a signature, or withdraw it ("This wasn't me")."""
    request = app.current_request
    assert request is not None, "Chalice sets the request before it calls a route"
    return handlers.confirm(request, slug, ref)


@app.route("/petitions/{slug}/unsubscribe/{ref}/{token}", methods=["GET"], content_types=["*/*"])
def unsubscribe_page(slug: str, ref: str, token: str) -> Response:
    """The page an unsubscribe link opens: one button that POSTs; changes nothing."""
    return handlers.unsubscribe_page(slug, ref, token)


# RFC 8058: mail clients POST `List-Unsubscribe=One-Click`, as multipart/form-data or a form;
# the body says nothing the link does not, so any body (and type) is taken.
@app.route("/petitions/{slug}/unsubscribe/{ref}/{token}", methods=["POST"], content_types=["*/*"])
def unsubscribe(slug: str, ref: str, token: str) -> Response:
    """One-click unsubscribe: no more updates about this petition to this signer."""
    return handlers.unsubscribe_post(slug, ref, token)


@app.route("/petitions/{slug}", methods=["GET"], content_types=["*/*"])
def petition(slug: str) -> Response:
    """A petition's live count, next goal, status and milestones."""
    return handlers.petition(slug)


@app.lambda_function(name="writeback")
def writeback(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Re-render and publish petitions' pages (invoked asynchronously): after a milestone,
    invalidated in the CDN; once a minute while counts move, left to expire."""
    service = runtime.service()
    return runtime.writeback.handle(event, service.content, service.store)


# Chalice writes this into the event source as it is: infra/stack.json replaces it with the
# table's own stream (Fn::GetAtt SignaturesTable.StreamArn), and sets what the decorator
# cannot (no bisecting, retries, the failure queue, one batch per shard at a time).
SIGNATURES_STREAM = "arn:aws:dynamodb:::table/petitions/stream/set-by-infra-stack.json"


@app.on_dynamodb_record(
    stream_arn=SIGNATURES_STREAM,
    batch_size=1000,
    starting_position="TRIM_HORIZON",
    name="aggregator",
    maximum_batching_window_in_seconds=3,
)
def count_signatures(event: DynamoDBEvent) -> dict[str, Any]:
    """Count a batch of the table's stream once; raises (Lambda retries the same batch)."""
    return aggregator.count_batch(event.to_dict()["Records"], runtime.counter())


@app.schedule(Rate(1, unit=Rate.MINUTES), name="refresh")
def refresh_counts(event: CloudWatchEvent) -> dict[str, Any]:
    """Write the count files and pages of petitions whose counts moved since last written."""
    return aggregator.sweep(runtime.freshness())


# Chalice writes these names into a CloudFormation Fn::Sub, so each is the stack's own queue
# and topic (infra/stack.json names them so); the template also turns on the queue's
# ReportBatchItemFailures, which the decorator cannot, and caps the mailer's concurrency.
MAIL_QUEUE = "${AWS::StackName}-mail"
MAIL_EVENTS_TOPIC = "${AWS::StackName}-mail-events"


@app.on_sqs_message(queue=MAIL_QUEUE, batch_size=10, name="mailer")
def send_mail(event: SQSEvent) -> dict[str, Any]:
    """Write and send queued letters with SES; answers which failed, so only those retry."""
    return mailer.send_queued(event, runtime.content(), runtime.mail_sender())


@app.on_sns_message(topic=MAIL_EVENTS_TOPIC, name="bounces")
def mail_feedback(event: SNSEvent) -> dict[str, Any]:
    """A bounce or complaint from SES: a permanent one marks its pending signature bounced."""
    return mailer.record_feedback(event, runtime.service())


@app.schedule(Rate(1, unit=Rate.DAYS), name="reconcile")
def daily_reconcile(event: CloudWatchEvent) -> dict[str, Any]:
    """Recount every petition from its signatures and repair counters that drifted."""
    from generator.upkeep.reconcile import daily  # only this function pays for importing it

    service = runtime.service()
    return daily(service.content, service.store)


@app.schedule(Rate(1, unit=Rate.DAYS), name="anonymise")
def daily_anonymise(event: CloudWatchEvent) -> dict[str, Any]:
    """Remove signers' names and addresses from petitions closed longer than retention_days."""
    from generator.upkeep.anonymise import daily  # only this function pays for importing it

    service = runtime.service()
    return daily(service.content, service.store)

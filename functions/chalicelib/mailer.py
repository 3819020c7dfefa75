"""The mail functions' glue: queued letters out through SES, SES feedback into the store.

The signing function only queues each letter (QueueMailer). The mailer function takes them
from the queue in batches, writes each from the site's templates and sends it with SES, and
answers with the messages that failed (an SQS partial batch response): the event source has
`ReportBatchItemFailures` on (functions/infra/stack.json, since Chalice's decorator cannot
say so), so only those come back after the visibility timeout, and after the queue's
`maxReceiveCount` tries they wait in its dead-letter queue.

SES publishes the configuration set's bounces and complaints to an SNS topic; the bounce
function marks the pending signature the mail's tags (`slug`, `key`) name as bounced.
Letters and SES notifications hold the signer's address: neither they nor an error message
that could quote one (SES's do) is ever logged, only slugs, kinds and error codes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any, Protocol

from chalice.app import SNSEvent, SQSRecord

from generator.model import Content
from generator.signing.letters import Letter, LetterError, update_of
from generator.signing.service import SigningService
from generator.store.base import PENDING

log = logging.getLogger(__name__)

# SES answers that concern the account or the rate, not the letter: the rest of the batch is
# not tried (each would fail the same way) and comes back later with it.
STOP_SENDING = frozenset(
    {
        "TooManyRequestsException",  # over the send rate
        "LimitExceededException",  # over the daily quota
        "SendingPausedException",  # sending paused for the account or configuration set
        "AccountSuspendedException",
        "Throttling",
        "ThrottlingException",
    }
)


class Sender(Protocol):
    """Writes and sends one letter (generator.signing.mail.SesSender)."""

    def send(self, letter: Letter) -> str:
        """Send the letter; returns the message id."""


def send_queued(
    records: Iterable[SQSRecord], content: Content, sender: Sender
) -> dict[str, list[dict[str, str]]]:
    """Send each queued letter; the SQS partial batch response naming those that failed.

    A letter about a petition the content no longer has is dropped (a log line with its
    slug); one that cannot be read or sent is reported failed.
    """
    from botocore.exceptions import BotoCoreError, ClientError  # not in the API's cold start

    failed: list[str] = []
    stopped: str | None = None
    for record in records:
        message_id = str(record.to_dict()["messageId"])
        if stopped is not None:
            failed.append(message_id)
            continue
        try:
            letter = Letter.from_json(json.loads(record.body))
        except ValueError as exc:  # json.JSONDecodeError is one too
            log.error("mail not readable message=%s: %s", message_id, type(exc).__name__)
            failed.append(message_id)
            continue
        petition = content.petition(letter.slug)
        if petition is None:
            log.warning("mail dropped slug=%s kind=%s: no such petition", letter.slug, letter.kind)
            continue
        if letter.kind == "update" and update_of(petition, letter.update) is None:
            log.warning("mail dropped slug=%s kind=update: no such update", letter.slug)
            continue
        try:
            sender.send(letter)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "unknown"))
            log.warning("mail not sent slug=%s kind=%s: SES %s", letter.slug, letter.kind, code)
            failed.append(message_id)
            if code in STOP_SENDING:
                stopped = code
            continue
        except BotoCoreError as exc:
            log.warning(
                "mail not sent slug=%s kind=%s: %s", letter.slug, letter.kind, type(exc).__name__
            )
            failed.append(message_id)
            continue
        except LetterError:  # a template missing or broken (its message may quote the letter)
            log.error("mail not written slug=%s kind=%s: LetterError", letter.slug, letter.kind)
            failed.append(message_id)
            continue
        except Exception as exc:  # a bug: this letter fails, not the letters sent before it
            log.error(
                "mail not sent slug=%s kind=%s: %s", letter.slug, letter.kind, type(exc).__name__
            )
            failed.append(message_id)
            continue
        log.info(
            "mail sent slug=%s kind=%s", letter.slug, letter.kind,
            extra={"event": "mail", "slug": letter.slug, "kind": letter.kind},
        )  # fmt: skip
    if stopped is not None:
        log.warning("mail sending stopped for this batch: SES %s", stopped)
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}


def record_feedback(event: SNSEvent, service: SigningService) -> dict[str, Any]:
    """Mark the signature a permanent bounce or a complaint is about as bounced (about an
    update to a supporter: withdraw their consent to hear more); a transient bounce (a full
    mailbox, a greylisting server) changes nothing."""
    try:
        notification = json.loads(event.message)
        if not isinstance(notification, dict):
            raise ValueError("not a JSON object")
    except ValueError:
        log.error("mail feedback not readable")
        return {"outcome": "unreadable"}
    # Configuration set event publishing says eventType; identity notifications notificationType.
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        bounce_type = str((notification.get("bounce") or {}).get("bounceType", ""))
        if bounce_type != "Permanent":
            log.info("mail feedback ignored: %s bounce", bounce_type or "unknown")
            return {"outcome": "ignored", "type": f"{bounce_type} bounce"}
    elif kind != "Complaint":
        log.info("mail feedback ignored: %s", kind)
        return {"outcome": "ignored", "type": str(kind)}
    slug, key = _tag(notification, "slug"), _tag(notification, "key")
    if slug is None or key is None or key == "none":
        log.warning("mail feedback %s names no signature (no slug and key tags)", kind.lower())
        return {"outcome": "untagged", "type": kind}
    if _tag(notification, "kind") == "update":  # mail to a supporter: no more of it
        sid = _tag(notification, "sid")
        withdrawn = service.store.withdraw_consent(slug, key, "" if sid in (None, "none") else sid)
        log.info(
            "mail %s slug=%s kind=update: consent withdrawn=%s", kind.lower(), slug, withdrawn,
            extra={"event": "bounce", "slug": slug, "kind": kind.lower()},
        )  # fmt: skip
        return {"outcome": "unsubscribed" if withdrawn else "unchanged", "slug": slug}
    before = service.bounce(slug, key)
    log.info(
        "mail %s slug=%s before=%s", "bounced" if kind == "Bounce" else "complaint", slug, before,
        extra={"event": "bounce", "slug": slug, "kind": kind.lower()},
    )  # fmt: skip
    return {"outcome": "bounced" if before == PENDING else "unchanged", "slug": slug}


def _tag(notification: dict[str, Any], name: str) -> str | None:
    """The value of one of the mail's tags (SES gives each as a list)."""
    tags = (notification.get("mail") or {}).get("tags") or {}
    values = tags.get(name) if isinstance(tags, dict) else None
    if isinstance(values, list) and values and isinstance(values[0], str) and values[0]:
        return values[0]
    return None

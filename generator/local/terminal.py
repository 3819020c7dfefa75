"""What `serve` tells the organiser: one line per signature, confirmation, milestone and
write-back (and, from the file mailer, each mail with its link).

The signing service, the counter and the write-back log each of these at INFO with `extra`
fields (the event, slugs, counts, files and milliseconds; never a signer's name or address).
A signature's line shows the count its answer gave, which is at most a second old (the
counter counts it just after); the milestone line comes from the counter. `EventLines` is a
logging handler that turns those records, and only those, into plain lines:

    signed free-bus-fares: count 11
    signed free-bus-fares: waiting for email confirmation
    confirmed free-bus-fares: count 12
    milestone free-bus-fares: 10 reached
    write-back free-bus-fares: 4 files in 3 ms
"""

from __future__ import annotations

import logging
from typing import TextIO

EVENT_LOGGERS = (
    "generator.signing.service",
    "generator.counting.counter",  # milestones: the counter reaches them, not the request
    "generator.writeback.refresh",
)


def event_line(record: logging.LogRecord) -> str | None:
    """The terminal line for an event record; None for any other record."""
    fields = record.__dict__  # where logging puts `extra`
    event, slug, count = fields.get("event"), fields.get("slug"), fields.get("count")
    if event == "signed":
        if fields.get("added", True):
            return f"signed {slug}: count {count}"
        return f"signed {slug} again: count {count}, not counted twice"
    shown = "" if count is None else f"; count {count}"  # no count is read while confirming
    if event == "pending":
        fresh = "waiting for email confirmation" if fields.get("added", True) else "signed before"
        return f"signed {slug}: {fresh}{shown}"
    if event == "confirmed":
        return f"confirmed {slug}: count {count}"
    if event == "withdrawn":
        return f"withdrawn {slug} (this wasn't me): count {count}"
    if event == "ignored":
        return f"ignored {slug}: the hidden field was filled in (a bot){shown}"
    if event == "milestone":
        return f"milestone {slug}: {count} reached"
    if event == "write-back":
        slugs, files, ms = ", ".join(fields["slugs"]), fields["files"], fields["ms"]
        return f"write-back {slugs}: {files} file{'' if files == 1 else 's'} in {ms:.0f} ms"
    return None


class EventLines(logging.Handler):
    """Writes `event_line` of each event record to a stream (stdout, for `serve`)."""

    def __init__(self, stream: TextIO):
        super().__init__(logging.INFO)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        line = event_line(record)
        if line is None:
            return
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except Exception:  # logging's own policy: report the failure, never raise it
            self.handleError(record)


def show_events(stream: TextIO) -> EventLines:
    """Print the signing and write-back events to `stream` from now on; returns the handler."""
    handler = EventLines(stream)
    logging.getLogger().addHandler(handler)
    for name in EVENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    return handler

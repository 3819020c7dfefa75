"""The measured run of benchmarks/capacity.py: a recorder of every call botocore clients
make (operation, item, outcome, capacity units as DynamoDB bills them, who called), and the
workload it records (signing through the app, confirming, the in-store rate limit, and the
aggregator's code over the table's stream). Imported by capacity.py, which sets the paths
(the repository and functions/) and the dummy AWS environment first.
"""

from __future__ import annotations

import json
import math
import secrets
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import app
from chalice.local import LambdaContext
from chalicelib.runtime import runtime

from generator.content.loading import load_content
from generator.counting.counter import Counter as Aggregator
from generator.local.wsgi import api_event
from generator.log.keys import LogKeys
from generator.log.leaves import tally as log_tally
from generator.log.note import Signer
from generator.model import Content
from generator.signing.letters import Letter, Writer
from generator.signing.mail import QueueMailer, SesSender
from generator.signing.settings import Settings
from generator.store.dynamodb import DynamoStore
from generator.store.dynamodb_stream import StreamSource
from generator.writeback.fresh import Freshness
from generator.writeback.logs import LogPublisher
from generator.writeback.publish import FolderPublisher, Published

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-not-for-production"
CONTENT = ROOT / "tests" / "fixtures" / "site" / "content"
SLUG = "free-bus-fares-for-students"  # open, nothing imported
CONTEXT = LambdaContext("api_handler", 512, max_runtime_ms=30000)
MODES = ("off", "required")
ITEM_OF = {"sig#": "signature", "count#": "count item", "batch#": "batch marker",
           "rate#": "rate counter", "log#": "log leaves"}  # fmt: skip
# the public log's keys, as the stack gives them (the API only the id key)
LOG_KEYS = LogKeys(Signer.generate("capacity.example.org"), secrets.token_bytes(32))
STORE_CODE = str(ROOT / "generator" / "store")
HOLD_CALLS = ("counter: counts", "counter: apply_counts")  # the count item is held between


# -- sizes and units, as DynamoDB bills them -------------------------------------------


def value_size(value: dict[str, Any]) -> int:
    """Bytes one attribute value takes (DynamoDB's item size rules)."""
    kind, data = next(iter(value.items()))
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        digits = data.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("L", "M"):
        members = data.items() if kind == "M" else enumerate(data)
        return 3 + sum(1 + value_size(v) + (len(k) if kind == "M" else 0) for k, v in members)
    return sum(len(str(d)) for d in data)  # sets: near enough


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes an item takes: names and values."""
    return sum(len(name.encode()) + value_size(v) for name, v in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


# -- the recorder ----------------------------------------------------------------------


@dataclass
class Row:
    """Calls of one kind (work, origin, operation, item, outcome) and their units."""

    calls: int = 0
    wcu: float = 0.0
    rcu: float = 0.0
    gsi: float = 0.0


def _item_kind(key: dict[str, Any]) -> str:
    pk = key.get("pk", {}).get("S", "")
    return next((name for prefix, name in ITEM_OF.items() if pk.startswith(prefix)), "other")


def _origin() -> str:
    """Who called the store, and which of its methods: e.g. `counter: counts`; the stream
    reader (in AWS, Lambda's poller) as `stream reader: read`."""
    frame = sys._getframe(3)  # past the recorder and botocore's emitter
    method, module = None, ""
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(STORE_CODE):
            method, module = frame.f_code.co_name, Path(path).stem
        elif method is not None:
            caller = "stream reader" if module == "dynamodb_stream" else Path(path).stem
            return f"{caller}: {method}"
        frame = frame.f_back
    return "direct"


class Recorder:
    """Every call a botocore client makes, by the unit of work under way (`work`)."""

    def __init__(self) -> None:
        self.work = "setup"
        self.rows: dict[tuple[str, ...], Row] = defaultdict(Row)
        self.reported: Counter[str] = Counter()  # ConsumedCapacity DynamoDB Local reported
        self.computed: Counter[str] = Counter()  # ours, for the same successful calls
        self.holds: list[float] = []  # seconds from the counter's read to its commit
        self._lock = threading.Lock()
        self._held = threading.local()

    def watch(self, client: Any) -> None:
        """Record this client's calls (and ask DynamoDB for its consumed capacity)."""
        events = client.meta.events
        events.register("provide-client-params.dynamodb.*", self._ask_capacity)
        events.register("before-parameter-build.*", self._before)  # the call's own params
        events.register("after-call.*", self._after)

    @staticmethod
    def _ask_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params.setdefault("ReturnConsumedCapacity", "INDEXES")

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        origin = _origin()
        context["capacity"] = (self.work, origin, dict(params))
        if origin == HOLD_CALLS[0]:
            self._held.since = time.perf_counter()

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        work, origin, params = context.get("capacity", (self.work, "direct", {}))
        error = parsed.get("Error", {}).get("Code")
        touches = list(self._touches(model.name, params, parsed, error))
        since = getattr(self._held, "since", None)
        if origin == HOLD_CALLS[1] and since is not None:
            self.holds.append(time.perf_counter() - since)
            self._held.since = None
        with self._lock:
            for item, outcome, wcu, rcu, gsi in touches:
                row = self.rows[work, origin, model.name, item, outcome]
                row.calls += 1
                row.wcu, row.rcu, row.gsi = row.wcu + wcu, row.rcu + rcu, row.gsi + gsi
                if error is None:
                    self.computed[model.name] += wcu + rcu + gsi
            if error is None:
                for used in _as_list(parsed.get("ConsumedCapacity")):
                    self.reported[model.name] += used.get("CapacityUnits", 0.0)

    def _touches(
        self, op: str, params: dict[str, Any], parsed: dict[str, Any], error: str | None
    ) -> Iterator[tuple[str, str, float, float, float]]:
        """(item, outcome, write units, read units, index write units) per item touched."""
        outcome = {None: "ok", "ConditionalCheckFailedException": "refused"}.get(error, error)
        if op == "PutItem":
            item = params["Item"]
            units = write_units(item_size(item))
            gsi = units if error is None and "gsi1pk" in item else 0
            yield _item_kind(item), outcome or "ok", units, 0, gsi
        elif op == "UpdateItem":
            before = parsed.get("Attributes") or parsed.get("Item")
            units = write_units(max(item_size(before), _update_size(params)))
            gsi = units if error is None and before and "gsi1pk" in before else 0
            name = params.get("ExpressionAttributeNames", {}).get("#c", "")
            yield _item_kind(params["Key"]), (name + " " if name else "") + outcome, units, 0, gsi
        elif op == "TransactWriteItems":
            reasons = [r.get("Code", "None") for r in parsed.get("CancellationReasons", [])]
            for i, part in enumerate(params["TransactItems"]):
                kind, body = next(iter(part.items()))
                item = body.get("Item") or body.get("Key")
                units = 2 * write_units(item_size(body.get("Item")) or _update_size(body))
                gsi = units if error is None and "gsi1pk" in item else 0
                why = reasons[i] if i < len(reasons) and reasons[i] != "None" else ""
                state = "ok" if error is None else f"cancelled {why}".strip()
                yield _item_kind(item), f"{kind} {state}", units, 0, gsi
        elif op in ("GetItem", "BatchGetItem"):
            consistent = params.get("ConsistentRead", False)
            if op == "GetItem":
                asked = [(params["Key"], parsed.get("Item"))]
            else:
                ((table, request),) = params["RequestItems"].items()
                consistent = request.get("ConsistentRead", False)
                found = parsed.get("Responses", {}).get(table, [])
                by_pk = {f["pk"]["S"] + f["sk"]["S"]: f for f in found}
                asked = [(k, by_pk.get(k["pk"]["S"] + k["sk"]["S"])) for k in request["Keys"]]
            how = "consistent" if consistent else "eventual"
            for key, item in asked:
                yield _item_kind(key), how, 0, read_units(item_size(item), consistent), 0
        elif op == "Query":  # one partition, its items' sizes summed before rounding
            consistent = params.get("ConsistentRead", False)
            pk = params.get("ExpressionAttributeValues", {}).get(":p", {})
            size = sum(item_size(item) for item in parsed.get("Items", []))
            how = "consistent" if consistent else "eventual"
            yield _item_kind({"pk": pk}), how, 0, read_units(size, consistent), 0  # 1 at least
        else:
            yield "-", outcome or "ok", 0, 0, 0

    def per_unit(self, work: str, units: float) -> list[tuple[tuple[str, ...], Row]]:
        """The rows of one unit of work, divided by how many units were done."""
        return [
            (key, Row(int(r.calls), r.wcu / units, r.rcu / units, r.gsi / units))
            for key, r in sorted(self.rows.items())
            if key[0] == work
        ]


def _update_size(body: dict[str, Any]) -> int:
    """A lower bound of an updated item's size: its key and the values written."""
    return item_size(body.get("Key")) + item_size(body.get("ExpressionAttributeValues"))


def _as_list(value: Any) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


# -- the workload ----------------------------------------------------------------------


class StubQueue:
    """The SQS client the API's QueueMailer sends letters to: it keeps them."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> dict[str, str]:
        self.bodies.append(MessageBody)
        return {"MessageId": str(len(self.bodies))}


class StubSes:
    """The SES v2 client the mailer function sends with: it sends nothing."""

    def send_email(self, **_: Any) -> dict[str, str]:
        return {"MessageId": "stub"}


class CountingPublisher(FolderPublisher):
    """Count files into a folder, counted (in AWS: a HEAD and a PUT to S3 each)."""

    files = 0

    def publish(self, files: Any, invalidate: bool = True) -> Published:
        self.files += len(files)
        return super().publish(files, invalidate)


@dataclass
class Timings:
    """Seconds each kind of invocation took in this process."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, what: str, seconds: float) -> None:
        self.seconds[what].append(seconds)


def call(method: str, path: str, body: dict[str, Any] | None, i: int, t: Timings, what: str) -> int:
    """One request to the app with an API Gateway event, timed; its status."""
    headers = {"content-type": "application/json"}
    data = json.dumps(body).encode() if body is not None else b""
    event = api_event(app, method, path, "", headers, data, f"10.1.{i >> 8 & 255}.{i & 255}")
    assert event is not None, path
    started = time.perf_counter()
    status = app(event, CONTEXT)["statusCode"]
    t.add(what, time.perf_counter() - started)
    return int(status)


@contextmanager
def configured(store: DynamoStore, content: Content, confirmation: str, limit: int,
               queue: StubQueue) -> Iterator[None]:  # fmt: skip
    settings = Settings.from_environ({
        "PETITION_SECRET": SECRET, "PETITION_RATE_LIMIT": str(limit),
        "PETITION_CONFIRMATION": confirmation, "PETITION_TEMPLATES": str(ROOT / "templates"),
        "PETITION_LOG_ID_KEY": LOG_KEYS.id_key.hex(),  # receipts
    })  # fmt: skip
    mailer = QueueMailer("https://sqs.invalid/stub", client=queue)  # type: ignore[arg-type]
    runtime.configure(content=content, store=store, settings=settings, mailer=mailer,
                      on_milestone=[], on_counted=[])  # fmt: skip
    try:
        yield
    finally:
        runtime.reset()


def signer(i: int) -> dict[str, Any]:
    return {"name": f"Capacity Signer {i}", "email": f"signer{i}@capacity.example.org"}


@dataclass
class Workload:
    """What the run did, for the model: units of work, timings, letters, batches."""

    done: Counter[str] = field(default_factory=Counter)
    timings: Timings = field(default_factory=Timings)
    letters: list[str] = field(default_factory=list)
    files: int = 0
    log_files: int = 0  # the public log's files put (tiles, entry bundles, checkpoints)
    page_refreshes: int = 0
    milestones: int = 0
    records: list[int] = field(default_factory=list)


def run_workload(store: DynamoStore, n: int, batch: int, out: Path, rec: Recorder) -> Workload:
    content = load_content(CONTENT)
    w = Workload()
    path = f"/petitions/{SLUG}/signatures"
    for mode in MODES:  # signing, one request at a time
        queue = StubQueue()
        with configured(store, content, mode, 0, queue):
            rec.work = f"signature, confirmation {mode}"
            for i in range(n):
                number = i if mode == "off" else n + i
                status = call(
                    "POST", path, signer(number), number, w.timings, f"sign, confirmation {mode}"
                )
                assert status == (201 if mode == "off" else 202), status
                w.done[rec.work] += 1
            w.done[f"letters {mode}"] = len(queue.bodies)
            if mode == "required":
                w.letters = queue.bodies
                rec.work = "confirmation"  # open each link (GET), then confirm (POST)
                for i, body in enumerate(queue.bodies):
                    link = json.loads(body)["links"]["confirm"]
                    ref_path = "/petitions/" + link.split("/api/petitions/", 1)[1]
                    assert (
                        call("GET", ref_path, None, i, w.timings, "confirmation page (GET)") == 200
                    )
                    status = call(
                        "POST", ref_path, {"choice": "confirm"}, i, w.timings, "confirm (POST)"
                    )
                    assert status == 200, status
                    w.done[rec.work] += 1
    with configured(store, content, "off", 1_000_000, StubQueue()):  # the local server's limit
        rec.work = "signature, in-store rate limit"
        for i in range(max(1, n // 5)):
            number = 2 * n + i
            call("POST", path, signer(number), number, w.timings, "sign, rate limit in store")
            w.done[rec.work] += 1
    count_stream(store, content, batch, out, rec, w)
    sender = SesSender(Writer(content, ROOT / "templates"), None, StubSes())  # type: ignore[arg-type]
    for body in w.letters:  # the mailer function's work per letter, bar SES's answer
        started = time.perf_counter()
        sender.send(Letter.from_json(json.loads(body)))
        w.timings.add("mailer, per letter", time.perf_counter() - started)
    return w


def count_stream(store: DynamoStore, content: Content, batch: int, out: Path, rec: Recorder,
                 w: Workload) -> None:  # fmt: skip
    """The aggregator function's work, batch by batch, over the whole stream."""
    publisher = CountingPublisher(out)

    def pages(slugs: list[str]) -> None:
        w.page_refreshes += len(slugs)

    def milestone(petition: Any, reached: Any) -> None:
        w.milestones += len(reached)

    log_files = CountingPublisher(out)
    logs = LogPublisher(content.site, store, log_files, LOG_KEYS)
    freshness = Freshness(content, store, publisher, pages, logs=logs)
    counter = Aggregator(content, store, [milestone], [freshness.counted], id_key=LOG_KEYS.id_key)
    source = StreamSource(store)
    rec.watch(source._streams())  # the reader's own client (in AWS: Lambda's poller)
    while True:
        rec.work = "stream reads"
        feed = source.read(batch)
        if feed is None:
            break
        if feed.changes:  # as chalicelib/aggregator.py: a batch without changes does nothing
            rec.work = "aggregator batch"
            started = time.perf_counter()
            counter.apply(feed)
            w.records.append(len(feed.changes))
            w.timings.add("aggregator batch", time.perf_counter() - started)
            w.done["aggregator batch"] += 1
        rec.work = "stream reads"
        source.done(feed)
    rec.work = "check"
    freshness.publish_logs()  # the trailing edge (the refresh function's sweep)
    w.files, w.log_files = publisher.files, log_files.files
    tally = store.counts([SLUG])[SLUG]
    logged = log_tally(store.log_entries(SLUG, 0, tally.log_size)).count
    if logged != tally.count:
        raise SystemExit(f"the log adds up to {logged}, the count is {tally.count}: not exact")
    signed = [
        f"signature, confirmation {MODES[0]}",
        "confirmation",
        "signature, in-store rate limit",
    ]
    if (tally.count, tally.pending) != (sum(w.done[what] for what in signed), 0):
        raise SystemExit(f"the stream counted {tally.count} (+{tally.pending} pending): not exact")

"""The capacity model behind benchmarks/capacity.py: AWS's limits and list prices, and the
load and cost of a signing rate on ONE petition, from operation counts measured per unit of
work (a signature, a confirmation, an aggregator batch, a count file written).

Pure arithmetic: nothing here talks to a server. Every limit, price and assumption is a
named constant with where it comes from; the measured figures come in as `Measured`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

# -- DynamoDB (developer guide: "Service, account, and table quotas", "Read/write capacity
#    mode", "Warm throughput"; checked 2026) --------------------------------------------
PARTITION_WCU = 1000  # write units per second one partition (one item, one key) serves
PARTITION_RCU = 3000  # read units per second one partition serves
NEW_TABLE_WCU = 4000  # a new on-demand table serves this many write units/s before it scales
NEW_TABLE_PARTITIONS = 4  # ... which is the capacity of 4 partitions
TABLE_QUOTA_WCU = 40_000  # on-demand per-table throughput quota, default (raisable)
TARGET = 0.5  # our goal: nothing above half its limit at the design rate
# On-demand keeps room for twice the previous peak, so a table that has reached a peak of W
# write units/s has about 2 W / 1,000 partitions; its stream has about as many shards.
HEADROOM_FACTOR = 2

# -- Lambda, API Gateway, SES, SQS, CloudFront (service quotas pages; defaults) -------
LAMBDA_CONCURRENCY = 1000  # concurrent executions per account and region
API_GATEWAY_RPS = 10_000  # REST API requests/s per account and region (throttle quota)
SES_RATE = 14  # messages/s, a new production SES account (raised on request)
SES_DAY = 50_000  # messages per 24 hours, a new production SES account
SQS_IN_FLIGHT = 120_000  # in-flight messages per standard queue
CLOUDFRONT_RPS = 250_000  # requests/s per distribution

# -- This stack (functions/.chalice/config.json, functions/infra/stack.json) ---------
LAMBDA_GB = 0.5  # lambda_memory_size 512 for every function of the stage
STREAM_BATCH = 1000  # the aggregator's BatchSize (app.py, infra/stack.json)
STREAM_WINDOW = 3.0  # its MaximumBatchingWindowInSeconds (app.py, infra/stack.json)
MAIL_CONCURRENCY = 5  # the MailConcurrency parameter's default (template maximum 100)
MAIL_BATCH = 10  # the mailer's SQS batch_size
MAIL_RETENTION_DAYS = 4  # the mail queue's MessageRetentionPeriod (345,600 s)
RESERVED = MAIL_CONCURRENCY + 2 + 1 + 1 + 1 + 1  # mailer, bounces, write-back, refresh,
# reconcile, anonymise (ReservedConcurrentExecutions in infra/stack.json)

# -- Assumptions (ours) ----------------------------------------------------------------
CONFIRM_SHARE = 1.0  # with confirmation required, every signer confirms (the most writes)
# A signer's visit through CloudFront besides the API: the page, style.css, icon.svg, sign.js,
# and count.json when the page opens and every 10 s (sign.js) for about a minute.
PAGE_REQUESTS = 4 + 7
PAGE_FILES = 6  # files one minute's re-render of a petition's pages puts in S3 (approximate)
# What one invocation takes in AWS at least, whatever this machine measured (seconds):
# DynamoDB in the region ~5 ms a call, SQS SendMessage ~10 ms, SES SendRawEmail ~50 ms,
# S3 ~20 ms, and Python at 512 MB runs on about 0.3 of a vCPU.
FLOOR_SECONDS = {
    "sign, confirmation off": 0.015,
    "sign, confirmation required": 0.030,
    "confirmation page (GET)": 0.005,
    "confirm (POST)": 0.015,
    "aggregator batch": 0.100,
    "mailer, per letter": 0.060,
    "counter holds the count item (read → commit)": 0.020,
}
HOLD = "counter holds the count item (read → commit)"

# -- List prices, us-east-1, as of 2026 (aws.amazon.com/<service>/pricing): CHECK THEM --
PRICE = {
    "dynamodb_write": 0.625 / 1e6,  # per write request unit, on-demand (since Nov 2024)
    "dynamodb_read": 0.125 / 1e6,  # per read request unit, on-demand
    "stream_read": 0.0,  # GetRecords by a Lambda trigger is free
    "lambda_request": 0.20 / 1e6,  # per invocation
    "lambda_gb_second": 0.0000166667,  # per GB-second, x86
    "api_gateway": 3.50 / 1e6,  # REST API, per request (first 333 million a month)
    "sqs": 0.40 / 1e6,  # standard queue, per request (64 KB chunk)
    "ses": 0.10 / 1000,  # per message sent
    "cloudfront": 0.0100 / 10_000,  # HTTPS requests, North America/Europe
    "waf": 0.60 / 1e6,  # per request a web ACL inspects (+ $5/month an ACL, $1/month a rule)
    "s3_put": 0.005 / 1000,  # PUT, per request
    "s3_head": 0.0004 / 1000,  # HEAD/GET, per request
}


@dataclass(frozen=True)
class Units:
    """Capacity units one unit of work consumes: table writes and reads, index writes."""

    wcu: float = 0.0
    rcu: float = 0.0
    gsi: float = 0.0


@dataclass(frozen=True)
class Measured:
    """What the DynamoDB Local run measured, per unit of work, by mode ("off"/"required")."""

    sign: dict[str, Units]  # per signature: the signature items (no count item)
    letters: dict[str, float]  # SQS messages (= mails) per signature
    confirm: Units  # per confirmation (POST), the signature item
    batch_count: Units  # per aggregator batch, on the count item (read, update, claims)
    batch_other: Units  # per aggregator batch, elsewhere (the batch marker)
    log_per_record: Units  # per record counted, the public log's leaves (written, read back)
    log_files_per_record: float  # the log's files put in S3 per record counted
    log_shards: int  # LOG_SHARDS in generator/store/dynamodb_items.py
    file_read: Units  # per count file written (reading its count item)
    tally_read: Units  # one read of the answers' tally cache (at most 1/s per process)
    seconds: dict[str, float]  # per invocation, as used (max of measured and FLOOR_SECONDS)
    gsi_shards: int  # GSI_SHARDS in generator/store/dynamodb_items.py


@dataclass(frozen=True)
class Load:
    """Everything the model derives for one rate and mode."""

    rate: float
    confirms: float  # confirmations/s
    api_rps: float
    api_concurrency: float
    partitions: int  # table partitions = stream shards
    batches: float  # aggregator batches/s (all shards)
    shard_busy: float  # share of each shard's second the aggregator is busy
    table_wcu: float
    spread_wcu: float  # everything but the count item and the log's leaves
    count_wcu: float
    log_wcu: float  # the public log's leaves items (over their own LOG_SHARDS partitions)
    count_rcu: float
    count_busy: float  # share of time a counter holds the count item (read to commit)
    gsi_wcu: float
    letters: float  # mails/s
    files: float  # count files written per second
    log_files: float  # the log's files put per second
    cloudfront_rps: float

    @property
    def lambda_concurrency(self) -> float:
        """API + aggregator (one invocation per stream shard) + the reserved functions."""
        return self.api_concurrency + self.partitions + RESERVED


def project(m: Measured, mode: str, rate: float) -> Load:
    """The load of `rate` new signatures/s on one petition (every signer confirming, when
    confirmation is required)."""
    confirms = rate * CONFIRM_SHARE if mode == "required" else 0.0
    s = m.seconds
    sign_s = s["sign, confirmation required" if mode == "required" else "sign, confirmation off"]
    api_rps = rate + 2 * confirms  # sign; open the link (GET), confirm (POST)
    api_conc = rate * sign_s + confirms * (s["confirmation page (GET)"] + s["confirm (POST)"])
    sig = m.sign[mode]
    spread_sig = rate * sig.wcu + confirms * m.confirm.wcu
    records = rate + confirms  # stream records that count: a new signature, a confirmation
    partitions, batches, count_wcu, other_wcu = NEW_TABLE_PARTITIONS, 0.0, 0.0, 0.0
    for _ in range(5):  # the count item's writes depend on the shards, which depend on writes
        per_shard = records / partitions
        per_shard_batches = max(1 / STREAM_WINDOW, per_shard / STREAM_BATCH) if rate else 0.0
        batches = partitions * per_shard_batches
        count_wcu = batches * m.batch_count.wcu
        other_wcu = batches * m.batch_other.wcu
        table_wcu = spread_sig + count_wcu + other_wcu + records * m.log_per_record.wcu
        partitions = max(NEW_TABLE_PARTITIONS, math.ceil(HEADROOM_FACTOR * table_wcu / 1000))
    files = 1.0 if rate else 0.0  # one petition: its count file at most once a second
    count_rcu = (
        batches * m.batch_count.rcu
        + files * m.file_read.rcu
        + min(api_conc, api_rps) * m.tally_read.rcu  # each warm API instance, once a second
    )
    return Load(
        rate=rate,
        confirms=confirms,
        api_rps=api_rps,
        api_concurrency=api_conc,
        partitions=partitions,
        batches=batches,
        shard_busy=(batches / partitions) * s["aggregator batch"],
        table_wcu=spread_sig + count_wcu + other_wcu + records * m.log_per_record.wcu,
        spread_wcu=spread_sig + other_wcu,
        count_wcu=count_wcu,
        log_wcu=records * m.log_per_record.wcu,
        count_rcu=count_rcu,
        count_busy=batches * s[HOLD],
        gsi_wcu=rate * sig.gsi + confirms * m.confirm.gsi,
        letters=rate * m.letters[mode],
        files=files,
        log_files=records * m.log_files_per_record,
        cloudfront_rps=api_rps + rate * PAGE_REQUESTS,
    )


REFUSES, COUNTS_LAG, MAIL_LAGS = "refuses signatures", "counts lag", "mail lags"


@dataclass(frozen=True)
class Resource:
    """One limit: its name, the load on it, the limit, what raises it (given the load at
    the design rate), and what happens past it."""

    name: str
    load: Callable[[Load, Measured], float]
    limit: Callable[[Measured], float]
    fix: Callable[[Load, Measured], str]
    effect: str = REFUSES


def _ceil_to(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)


def _hot_partition(x: Load, m: Measured) -> float:
    return x.spread_wcu / x.partitions + x.count_wcu


def prewarm(x: Load) -> int:
    """The warm write throughput (units/s) that keeps the table's throughput and its hottest
    partition (the count item's, with its share of the rest) under TARGET: one number for
    the pre-warm and the per-table quota alike."""
    partitions = x.spread_wcu / (PARTITION_WCU * TARGET - x.count_wcu)
    return max(_ceil_to(x.table_wcu / TARGET, 1000), _ceil_to(1000 * partitions, 1000))


def _gsi_key(x: Load, m: Measured) -> float:
    return x.gsi_wcu / m.gsi_shards


def _mailer_capacity(m: Measured) -> float:
    return MAIL_CONCURRENCY / m.seconds["mailer, per letter"]


def _window(x: Load, m: Measured) -> str:
    """The batching window (and batch size) that keeps the count item held < TARGET."""
    records = x.rate + x.confirms
    for batch in (STREAM_BATCH, 10_000):
        for window in range(1, 301):
            per_shard = max(1 / window, records / x.partitions / batch)
            if x.partitions * per_shard * m.seconds[HOLD] <= TARGET:
                size = "" if batch == STREAM_BATCH else f" and BatchSize {batch:,}"
                return (
                    f"MaximumBatchingWindowInSeconds = {window}{size} (app.py and"
                    f" infra/stack.json; now {STREAM_WINDOW:g})"
                )
    return "count items sharded per petition (the counter holds one item too long)"


RESOURCES = (
    Resource(
        "API Gateway requests/s (account quota)",
        lambda x, m: x.api_rps,
        lambda m: API_GATEWAY_RPS,
        lambda x, m: (
            f"ask for an API Gateway throttle quota of {_ceil_to(x.api_rps / TARGET, 1000):,}"
            " requests/s (Service Quotas, us-east-1)"
        ),
    ),
    Resource(
        "Lambda concurrent executions (account)",
        lambda x, m: x.lambda_concurrency,
        lambda m: LAMBDA_CONCURRENCY,
        lambda x, m: (
            f"ask for {_ceil_to(x.lambda_concurrency / TARGET, 1000):,} concurrent"
            " executions (Service Quotas: Lambda)"
        ),
    ),
    Resource(
        "table writes vs a new on-demand table (WCU/s)",
        lambda x, m: x.table_wcu,
        lambda m: NEW_TABLE_WCU,
        lambda x, m: (
            f"pre-warm the table: WarmThroughput WriteUnitsPerSecond ≥ {prewarm(x):,}"
            " (a day ahead; billed once)"
        ),
    ),
    Resource(
        "table writes vs the per-table quota (WCU/s)",
        lambda x, m: x.table_wcu,
        lambda m: TABLE_QUOTA_WCU,
        lambda x, m: f"ask for the on-demand per-table write quota of {prewarm(x):,} units/s",
    ),
    Resource(
        "hottest table partition: count item + its share (WCU/s)",
        _hot_partition,
        lambda m: PARTITION_WCU,
        lambda x, m: (
            f"pre-warm to more partitions: WarmThroughput WriteUnitsPerSecond ≥ {prewarm(x):,}"
        ),
    ),
    Resource(
        "count item writes (WCU/s, one item)",
        lambda x, m: x.count_wcu,
        lambda m: PARTITION_WCU,
        _window,
        COUNTS_LAG,
    ),
    Resource(
        "count item reads (RCU/s, one item)",
        lambda x, m: x.count_rcu,
        lambda m: PARTITION_RCU,
        lambda x, m: "a longer tally cache (generator/signing/tallies.py TTL)",
    ),
    Resource(
        "count item held by a counter (share of time)",
        lambda x, m: x.count_busy,
        lambda m: 1.0,
        _window,
        COUNTS_LAG,
    ),
    Resource(
        "hottest log leaves partition log#<slug>#k (WCU/s)",
        lambda x, m: x.log_wcu / m.log_shards,
        lambda m: PARTITION_WCU,
        lambda x, m: (
            f"LOG_SHARDS = {math.ceil(x.log_wcu / (PARTITION_WCU * TARGET))} or more"
            " (generator/store/dynamodb_items.py)"
        ),
    ),
    Resource(
        "hottest export index key <slug>#k (WCU/s)",
        _gsi_key,
        lambda m: PARTITION_WCU,
        lambda x, m: (
            f"GSI_SHARDS = {math.ceil(x.gsi_wcu / (PARTITION_WCU * TARGET))} or more"
            f" (now {m.gsi_shards}; generator/store/dynamodb_items.py)"
        ),
    ),
    Resource(
        "stream shard: aggregator busy (share of time)",
        lambda x, m: x.shard_busy,
        lambda m: 1.0,
        lambda x, m: (
            "more stream shards: pre-warm the table (shards follow partitions);"
            " ParallelizationFactor must stay 1 (infra/stack.json says why)"
        ),
        COUNTS_LAG,
    ),
    Resource(
        "SES sending rate (messages/s)",
        lambda x, m: x.letters,
        lambda m: SES_RATE,
        lambda x, m: (
            f"ask SES for {_ceil_to(x.letters / TARGET, 1000):,} messages/s;"
            " until then letters wait in SQS"
        ),
        MAIL_LAGS,
    ),
    Resource(
        "SES 24-hour quota, one hour at this rate",
        lambda x, m: x.letters * 3600,
        lambda m: SES_DAY,
        lambda x, m: (
            f"ask SES for a 24-hour quota of {_ceil_to(x.letters * 3600 / TARGET, 10**6):,}"
        ),
        MAIL_LAGS,
    ),
    Resource(
        "mailer throughput (letters/s, MailConcurrency 5)",
        lambda x, m: x.letters,
        _mailer_capacity,
        lambda x, m: (
            "MailConcurrency ="
            f" {math.ceil(x.letters / TARGET * m.seconds['mailer, per letter'])} (template max 100)"
        ),
        MAIL_LAGS,
    ),
    Resource(
        "SQS messages in flight (standard queue)",
        lambda x, m: min(x.letters, _mailer_capacity(m)) * m.seconds["mailer, per letter"],
        lambda m: SQS_IN_FLIGHT,
        lambda x, m: "(bounded by the mailer's concurrency)",
        MAIL_LAGS,
    ),
    Resource(
        "CloudFront requests/s (per distribution)",
        lambda x, m: x.cloudfront_rps,
        lambda m: CLOUDFRONT_RPS,
        lambda x, m: f"ask for {_ceil_to(x.cloudfront_rps / TARGET, 10_000):,} requests/s",
    ),
)


def first_limit(resource: Resource, m: Measured, mode: str, share: float) -> float | None:
    """The lowest signing rate (of a log grid, 1 to 1,000,000/s) at which `resource` is at
    `share` of its limit; None if it never is."""
    for step in range(0, 601):
        rate = 10 ** (step / 100)
        x = project(m, mode, rate)
        if resource.load(x, m) >= share * resource.limit(m):
            return rate
    return None


@dataclass(frozen=True)
class CostLine:
    """One line of the bill: what is paid for, and how many of it one signature brings."""

    item: str
    price_key: str
    per_signature: Callable[[Load, Measured], float]


def _lambda_gbs(x: Load, m: Measured, mode: str) -> float:
    s = m.seconds
    sign = s["sign, confirmation required" if mode == "required" else "sign, confirmation off"]
    api = x.rate * sign + x.confirms * (s["confirmation page (GET)"] + s["confirm (POST)"])
    aggregator = x.batches * s["aggregator batch"]
    mailer = x.letters * s["mailer, per letter"]
    return (api + aggregator + mailer) * LAMBDA_GB / x.rate


def cost_lines(mode: str) -> tuple[CostLine, ...]:
    """The bill of one signature, line by line (all per signature, at the load's rate)."""
    return (
        CostLine("DynamoDB writes (WRU: table, index, transactions ×2)", "dynamodb_write",
                 lambda x, m: (x.table_wcu + x.gsi_wcu) / x.rate),
        CostLine("DynamoDB reads (RRU)", "dynamodb_read",
                 lambda x, m: (x.count_rcu) / x.rate),
        CostLine("DynamoDB stream reads (by Lambda: free)", "stream_read",
                 lambda x, m: 1 + x.confirms / x.rate),
        CostLine("Lambda invocations (API, aggregator, mailer, write-back)", "lambda_request",
                 lambda x, m: (x.api_rps + x.batches + x.letters / MAIL_BATCH + 1 / 60) / x.rate),
        CostLine("Lambda GB-seconds (512 MB)", "lambda_gb_second",
                 lambda x, m: _lambda_gbs(x, m, mode)),
        CostLine("API Gateway REST requests", "api_gateway", lambda x, m: x.api_rps / x.rate),
        CostLine("SQS requests (send; receive and delete by 10)", "sqs",
                 lambda x, m: x.letters * (1 + 2 / MAIL_BATCH) / x.rate),
        CostLine("SES messages", "ses", lambda x, m: x.letters / x.rate),
        CostLine("CloudFront requests (API + page visit)", "cloudfront",
                 lambda x, m: x.cloudfront_rps / x.rate),
        CostLine("WAF requests inspected", "waf", lambda x, m: x.cloudfront_rps / x.rate),
        CostLine("S3 PUTs (count files, the log's files; pages once a minute)", "s3_put",
                 lambda x, m: (x.files + x.log_files + PAGE_FILES / 60) / x.rate),
        CostLine("S3 HEADs before each PUT", "s3_head",
                 lambda x, m: (x.files + x.log_files + PAGE_FILES / 60) / x.rate),
    )  # fmt: skip

"""Capacity model: DynamoDB operations measured per unit of work on DynamoDB Local, projected
to 1,000, 5,000 and 10,000 signatures/s on ONE petition, and what a viral day costs.

    .venv/bin/python benchmarks/capacity.py [--signatures 300] [--batch 100]

A small workload runs against one table of a DynamoDB Local started for the run: the app
(functions/app.py) called in this process with API Gateway events signs `--signatures`
signers with confirmation off, as many with confirmation required (letters go to a stub
SQS queue), opens and confirms every link, and signs a fifth as many with the in-store rate
limit on (the local server's; in AWS the limit is WAF's). Then the aggregator's code counts
the table's stream batch by batch, as Lambda would hand it over (generator.counting Counter,
StreamSource, `--batch` records a batch), with generator.writeback.fresh.Freshness writing
count files into a temporary folder. botocore's event hooks on the store's clients record
every call: operation, items (signature, count item, batch marker, rate counter), outcome
and capacity units. Units are computed from item sizes as DynamoDB bills them (1 write unit
per KB, 1 read unit per 4 KB strongly consistent, half that eventually consistent,
transactions twice, the export index's item on each signature write) and checked against
the ConsumedCapacity DynamoDB Local reports for successful calls.

The projection (benchmarks/_capacity_model.py) puts those per-unit figures against
DynamoDB's per-partition limits, stream shards and the aggregator, Lambda concurrency, API
Gateway, SES, SQS and CloudFront, prints the first bottleneck and what must be raised for
nothing to be above 50 % at 10,000/s, and the dollars per million signatures at list prices.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

# Never let botocore look for real credentials or the EC2 metadata service.
os.environ.update(
    AWS_EC2_METADATA_DISABLED="true",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT), str(ROOT / "functions")]

import _capacity_model as model  # noqa: E402
from _capacity_run import MODES, SLUG, Recorder, Row, Workload, run_workload  # noqa: E402

from generator.store import dynamodb_items as items  # noqa: E402
from generator.store.dynamodb import DynamoStore  # noqa: E402

RATES = (1000, 5000, 10_000)

# -- from the run to the model ---------------------------------------------------------


def _sum(rows: list[tuple[tuple[str, ...], Row]], keep: Any) -> model.Units:
    picked = [r for key, r in rows if keep(key)]
    return model.Units(sum(r.wcu for r in picked), sum(r.rcu for r in picked),
                       sum(r.gsi for r in picked))  # fmt: skip


def measure(rec: Recorder, w: Workload, seconds: dict[str, float]) -> model.Measured:
    """The per-unit figures the model needs, from what was recorded."""
    n = w.done["signature, confirmation off"]
    batches = w.done["aggregator batch"]

    def request_path(key: tuple[str, ...]) -> bool:  # the tally cache is per process, not per call
        return not key[1].startswith("tallies")

    tally_rows = [r for key, r in rec.rows.items() if key[1].startswith("tallies")]
    tally_calls = sum(r.calls for r in tally_rows) or 1
    batch = rec.per_unit("aggregator batch", batches)
    return model.Measured(
        sign={mode: _sum(rec.per_unit(f"signature, confirmation {mode}", n), request_path)
              for mode in MODES},
        letters={mode: w.done[f"letters {mode}"] / n for mode in MODES},
        confirm=_sum(rec.per_unit("confirmation", w.done["confirmation"]), request_path),
        batch_count=_sum(batch, lambda k: k[3] == "count item" and k[1] != "fresh: counts"),
        batch_other=_sum(batch, lambda k: k[3] not in ("count item", "log leaves")),
        log_per_record=_sum(rec.per_unit("aggregator batch", max(sum(w.records), 1)),
                            lambda k: k[3] == "log leaves"),
        log_files_per_record=w.log_files / max(sum(w.records), 1),
        log_shards=items.LOG_SHARDS,
        file_read=_sum(rec.per_unit("aggregator batch", max(w.files, 1)),
                       lambda k: k[1] == "fresh: counts"),
        tally_read=model.Units(rcu=sum(r.rcu for r in tally_rows) / tally_calls),
        seconds=seconds,
        gsi_shards=items.GSI_SHARDS,
    )  # fmt: skip


# -- printing --------------------------------------------------------------------------


def print_operations(rec: Recorder, w: Workload) -> None:
    units = {
        "signature, confirmation off": w.done["signature, confirmation off"],
        "signature, confirmation required": w.done["signature, confirmation required"],
        "confirmation": w.done["confirmation"],
        "signature, in-store rate limit": w.done["signature, in-store rate limit"],
        "aggregator batch": w.done["aggregator batch"],
        "stream reads": w.done["aggregator batch"],
    }
    print("\n## DynamoDB operations per unit of work (measured; units as DynamoDB bills them)\n")
    print("| per | by | operation | item | outcome | calls | WCU | RCU | index WCU |")
    print("|---|---|---|---|---|---|---|---|---|")
    for work, count in units.items():
        for (_, origin, op, item, outcome), row in rec.per_unit(work, count):
            print(f"| {work} | {origin} | {op} | {item} | {outcome} | {row.calls / count:.3g} "
                  f"| {row.wcu:.3g} | {row.rcu:.3g} | {row.gsi:.3g} |")  # fmt: skip
    n = units["signature, confirmation off"]
    batches = units["aggregator batch"]
    print(
        f"\nOther work: SQS SendMessage per signature {w.done['letters off'] / n:.2f} (off), "
        f"{w.done['letters required'] / n:.2f} (required); per aggregator batch "
        f"{statistics.mean(w.records):.0f} changes, {w.files / batches:.2f} count files "
        f"written, {w.page_refreshes / batches:.2f} page re-renders asked, "
        f"{w.milestones} milestones in all. Tally cache reads (tallies: tally) are one per "
        "process per second, not per request: the model counts them per warm API instance."
    )

    def write_units(work: str) -> float:
        rows = rec.per_unit(work, units[work])
        return sum(r.wcu + r.gsi for key, r in rows if not key[1].startswith("tallies"))

    print(
        f"The in-store rate limit (site.yaml rate_limit, unless PETITION_RATE_LIMIT=0) makes a "
        f"signature {write_units('signature, in-store rate limit'):.0f} write units instead of "
        f"{write_units('signature, confirmation off'):.0f}: the model leaves it to WAF."
    )
    print("Cross-check, units computed / reported by DynamoDB Local, successful calls: "
          + ", ".join(f"{op} {rec.computed[op]:.0f}/{rec.reported[op]:.0f}"
                      for op in sorted(rec.reported))
          + ". (DynamoDB Local reports a TransactWriteItems of small items as 2 units however"
          " many parts it has; DynamoDB bills 2 per item: the model uses ours.)")  # fmt: skip


def print_timings(w: Workload, rec: Recorder) -> dict[str, float]:
    """Print each invocation's time here and the time the model uses (the larger of the
    median here and the AWS floor); returns the latter."""
    print("\n## Invocation times (this process, DynamoDB Local) and what the model uses\n")
    print("| invocation | p50 ms | p99 ms | mean ms | AWS floor ms | used ms |")
    print("|---|---|---|---|---|---|")
    used = {}
    w.timings.seconds[model.HOLD] = rec.holds
    for what, floor in model.FLOOR_SECONDS.items():
        seconds = sorted(w.timings.seconds[what])
        mean = statistics.mean(seconds)
        used[what] = max(seconds[len(seconds) // 2], floor)
        p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))]
        print(f"| {what} | {seconds[len(seconds) // 2] * 1000:.1f} | {p99 * 1000:.1f} "
              f"| {mean * 1000:.1f} | {floor * 1000:.0f} | {used[what] * 1000:.1f} |")  # fmt: skip
    return used


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def print_projection(m: model.Measured, mode: str) -> list[tuple[str, float, str]]:
    """The load table of one mode; returns (resource, % at the top rate, fix) above TARGET."""
    loads = [model.project(m, mode, rate) for rate in RATES]
    top = loads[-1]
    label = "every signer confirms" if mode == "required" else "counted at once"
    print(f"\n## Confirmation {mode} ({label}): load on ONE petition\n")
    print("| resource | " + " | ".join(f"{r:,}/s" for r in RATES) + " | limit | % at "
          f"{RATES[-1]:,}/s |")  # fmt: skip
    print("|---|" + "---|" * (len(RATES) + 2))
    above = []
    for res in model.RESOURCES:
        limit = res.limit(m)
        values = [res.load(x, m) for x in loads]
        pct = 100 * values[-1] / limit
        mark = " **over 50 %**" if pct > 100 * model.TARGET else ""
        print(f"| {res.name} | " + " | ".join(_fmt(v) for v in values)
              + f" | {_fmt(limit)} | {pct:.1f} %{mark} |")  # fmt: skip
        if pct > 100 * model.TARGET:
            above.append((res.name, pct, res.fix(top, m)))
    for x in loads:
        print(f"  at {x.rate:,.0f}/s: {x.partitions} partitions ≈ stream shards, "
              f"{x.batches:,.0f} aggregator batches/s, API concurrency {x.api_concurrency:,.0f}, "
              f"table {x.table_wcu:,.0f} WCU/s + index {x.gsi_wcu:,.0f} WCU/s")  # fmt: skip
    print("\nFirst bottleneck (the lowest signing rate at which a limit is reached), by what"
          " happens past it:")  # fmt: skip
    for effect in (model.REFUSES, model.COUNTS_LAG, model.MAIL_LAGS):
        firsts = []
        for res in (r for r in model.RESOURCES if r.effect == effect):
            full = model.first_limit(res, m, mode, 1.0)
            if full is not None:
                firsts.append(
                    (full, model.first_limit(res, m, mode, model.TARGET) or full, res.name)
                )
        if not firsts:
            print(f"  - {effect}: nothing reaches its limit below 1,000,000/s")
            continue
        full, half, name = min(firsts)
        print(
            f"  - {effect}: {name}, at its limit from about {full:,.0f} signatures/s (50 % "
            f"from {half:,.0f}/s): headroom {full / RATES[-1]:.2g}× the {RATES[-1]:,}/s goal"
        )
    if above:
        print(f"Above 50 % at {RATES[-1]:,}/s, and what must be raised:")
        for name, pct, fix in above:
            print(f"  - {name} ({pct:.0f} %): {fix}")
    else:
        print(f"Nothing above 50 % at {RATES[-1]:,}/s.")
    if top.letters > model.SES_RATE:
        queued = (top.letters - model.SES_RATE) * 3600
        print(
            f"Mail: an hour at {RATES[-1]:,}/s leaves {queued / 1e6:.1f} million letters in the "
            f"queue; at {model.SES_RATE}/s they take {queued / model.SES_RATE / 86400:.0f} days "
            f"to send, but the mail queue keeps a letter {model.MAIL_RETENTION_DAYS} days "
            "(MessageRetentionPeriod): the rest are deleted unsent."
        )
    return above


def print_costs(m: model.Measured, mode: str) -> None:
    loads = [model.project(m, mode, rate) for rate in RATES]
    print(f"\n## What a viral day costs, confirmation {mode}: dollars per million signatures")
    print("   (us-east-1 list prices as of 2026, to be checked; free tiers left out)\n")
    print("| item | per signature at 10,000/s | unit price $ | "
          + " | ".join(f"$ at {r:,}/s" for r in RATES) + " |")  # fmt: skip
    print("|---|---|---|" + "---|" * len(RATES))
    totals = [0.0] * len(RATES)
    for line in model.cost_lines(mode):
        price = model.PRICE[line.price_key]
        dollars = [line.per_signature(x, m) * price * 1e6 for x in loads]
        totals = [t + d for t, d in zip(totals, dollars, strict=True)]
        print(f"| {line.item} | {line.per_signature(loads[-1], m):.4g} | {price:.3g} | "
              + " | ".join(f"{d:,.2f}" for d in dollars) + " |")  # fmt: skip
    print("| **total** | | | " + " | ".join(f"**{t:,.2f}**" for t in totals) + " |")


def main(argv: list[str] | None = None) -> int:
    """Run the workload, print what it measured, the projection and the costs."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[4:]),
    )  # fmt: skip
    parser.add_argument("--signatures", type=int, default=300, help="signers per mode (300)")
    parser.add_argument("--batch", type=int, default=100, help="stream records per batch (100)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    from tests.support.dynamodb_local import running

    rec = Recorder()
    with running() as endpoint, tempfile.TemporaryDirectory(prefix="capacity-") as out:
        store = DynamoStore("capacity-model", region="us-east-1", endpoint_url=endpoint)
        store.init()
        rec.watch(store.client)
        w = run_workload(store, args.signatures, args.batch, Path(out), rec)
        store.close()
    print(f"Capacity model: {args.signatures} signers per mode on DynamoDB Local, petition "
          f"{SLUG!r}; stream read {args.batch} records a batch; {os.cpu_count()} CPUs")  # fmt: skip
    print_operations(rec, w)
    m = measure(rec, w, print_timings(w, rec))
    for mode in MODES:
        print_projection(m, mode)
    for mode in MODES:
        print_costs(m, mode)
    print("\nNot in the table: CloudFront data transfer out ($0.085/GB: a 30 KB page visit is "
          "about $2.5 a million), CloudWatch Logs ($0.50/GB ingested), storage ($0.25/GB-month),"
          " WAF's $5/month web ACL and $1/month a rule, viewers who do not sign.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

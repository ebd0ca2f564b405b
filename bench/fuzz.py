"""The hostile-input fuzzer of tests/test_security_fuzz.py, run for as long as asked.

    python bench/fuzz.py --seconds 600                   # every route, a new seed
    python bench/fuzz.py --seconds 120 --seed 42 --routes sparql-update,graph-store
    python bench/fuzz.py --replay '42:graph-store:17'    # one case again, shown in full

The same generators (tests/fuzz_inputs.py), server and checks (tests/fuzz_target.py) as
the test, with the time shared between the routes the same way. Progress goes to
standard error; the counts per route, status and input class, the failures (a few per
class, with seed and input) and the slowest cases go to bench/results/fuzz.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from canary import Canary  # noqa: E402
from fuzz_target import ROUTES, SHARES, Fuzzer, Report, Target  # noqa: E402

FAILURES_KEPT = 5  # per input class and problem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="time for all routes together (default 300)")
    parser.add_argument("--seed", default=None, help="the run's seed (default: a new one)")
    parser.add_argument("--routes", default=",".join(ROUTES), help=f"comma-separated, of {', '.join(ROUTES)}")
    parser.add_argument("--replay", metavar="SEED:ROUTE:INDEX", help="send one case again and show it in full")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fuzz.json")
    parser.add_argument("--verbose", action="store_true", help="print every case before sending it")
    args = parser.parse_args()

    routes = [r for r in args.routes.split(",") if r]
    unknown = [r for r in routes if r not in ROUTES]
    if unknown:
        parser.error(f"unknown route(s) {', '.join(unknown)}: choose from {', '.join(ROUTES)}")
    if args.replay:
        seed, route, index = args.replay.rsplit(":", 2)
        if route not in ROUTES or not index.isdigit():
            parser.error("--replay takes SEED:ROUTE:INDEX as a failure prints it, e.g. 42:graph-store:17")
        routes, args.seed = [route], seed
    seed = args.seed or str(int(time.time()) % 1_000_000)

    with tempfile.TemporaryDirectory(prefix="urbankg-fuzz-") as folder, Canary() as hostile, Canary() as allowed:
        log(f"building the store and starting the server in {folder} ...")
        with Target(Path(folder), allowed.url + "/sparql") as target:
            fuzzer = Fuzzer(target, hostile, seed, verbose=args.verbose)
            if args.replay:
                return replay(fuzzer, route, int(index))
            share = sum(SHARES[r] for r in routes)
            reports = []
            for route in routes:
                budget = args.seconds * SHARES[route] / share
                log(f"{route}: {budget:.0f} s, seed {seed}")
                report = fuzzer.run(route, budget, progress=lambda r: log("  " + r.summary()))
                log("  " + report.summary())
                reports.append(report)
            restarts = target.restarts
    write(args.out, seed, args.seconds, reports, restarts)
    log(f"wrote {args.out}")
    failing = sum(len(r.failures) for r in reports)
    log(f"{sum(r.cases for r in reports)} cases, {failing} failing, {restarts} server restart(s)")
    return 1 if failing else 0


def replay(fuzzer: Fuzzer, route: str, index: int) -> int:
    case = fuzzer.case(route, index)
    body = case.body if isinstance(case.body, (str, bytes)) else json.dumps(case.body, ensure_ascii=False)
    print(
        f"{case.kind}/{case.label} seed {case.seed!r}, {len(body)} {'bytes' if isinstance(body, bytes) else 'chars'}:"
    )
    print(repr(body[:4000]))
    _case, status, failures = fuzzer.one(route, index)
    print(f"status {status}")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


def write(path: Path, seed: str, seconds: float, reports: list[Report], restarts: int) -> None:
    routes = {}
    for report in reports:
        classes: dict[str, Counter] = {}
        statuses: Counter = Counter()
        for (label, status), n in report.statuses.items():
            classes.setdefault(label, Counter())[str(status)] += n
            statuses[str(status)] += n
        kept: Counter = Counter()
        failures = []
        for failure in report.failures:
            key = (failure.case.label, failure.status, failure.problem[:40])
            kept[key] += 1
            if kept[key] <= FAILURES_KEPT:
                failures.append(
                    {
                        "class": f"{failure.case.kind}/{failure.case.label}",
                        "status": failure.status,
                        "problem": failure.problem,
                        "seed": failure.case.seed,
                        "request": failure.request,
                        "input": failure.case.text(500),
                    }
                )
        routes[report.route] = {
            "cases": report.cases,
            "seconds": round(report.seconds, 1),
            "cases_per_second": round(report.cases / report.seconds, 2) if report.seconds else None,
            "statuses": dict(sorted(statuses.items())),
            "classes": {label: dict(sorted(c.items())) for label, c in sorted(classes.items())},
            "failing_cases": len(report.failures),
            "failures": failures,
            "slowest": [{"seconds": round(s, 2), "case": c} for s, c in report.slowest],
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "seed": seed,
                "seconds_asked": seconds,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "python": platform.python_version(),
                "server_restarts": restarts,
                "cases": sum(r.cases for r in reports),
                "failing_cases": sum(len(r.failures) for r in reports),
                "routes": routes,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

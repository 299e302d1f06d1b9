"""Faults injected into `make run-scaled` while the load generator runs (this lab machine only).

`python scripts/fault_test.py [--faults kill-rasa,actions-down,postgres-restart,redis-down]
[--users 10] [--seconds 60] [--fault-at 15] [--fault-for 15] [--plots docs/img] [--json F]`
starts its own scaled deployment (scripts/scaled.py: nginx, 2 Rasa, 2 action servers, 2 API
workers, PostgreSQL, Redis, RabbitMQ) and, for each fault in turn, runs the load of
scripts/load_test.py through nginx, injects the fault `--fault-at` seconds in, lifts it
`--fault-for` seconds later, then checks that every ticket and complaint a citizen was
given is stored exactly once and that conversations are whole. One plot per fault.

PostgreSQL and Redis are this machine's shared servers: the script restarts them (it needs
root, and nothing else should be using them meanwhile). Loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.load_test import Results, apologised, generate, integrity, summary  # noqa: E402
from scripts.scaled import ScaledDeployment  # noqa: E402
from scripts.stack import responds_ok  # noqa: E402

POSTGRES_VERSION = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else "15"
POSTGRES_RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", POSTGRES_VERSION, "main", "restart"]
REDIS_STOP = ["redis-cli", "-p", "6379", "shutdown", "nosave"]
# How this machine starts Redis (it keeps nothing on disk).
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
               "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
               "--logfile", "/var/log/redis/ci.log"]
RECOVERY_SECONDS = 180


@dataclass
class Window:
    """When the fault was on, in seconds since the load started."""

    start: float = 0.0
    end: float = 0.0


def hold_down(deployment: ScaledDeployment, names: List[str], seconds: float) -> None:
    """Kill the named servers and keep their supervisors paused for `seconds`."""
    supervisors = [int((deployment.run_dir / f"{name}.supervisor.pid").read_text()) for name in names]
    for supervisor, name in zip(supervisors, names):
        os.kill(supervisor, signal.SIGSTOP)
        os.kill(deployment.pid(name), signal.SIGKILL)
    time.sleep(seconds)
    for supervisor in supervisors:
        os.kill(supervisor, signal.SIGCONT)


def kill_rasa(deployment: ScaledDeployment, seconds: float) -> None:
    hold_down(deployment, [deployment.replica_name("rasa", 1)], seconds)


def actions_down(deployment: ScaledDeployment, seconds: float) -> None:
    hold_down(deployment, [deployment.replica_name("actions", n) for n in (1, 2)], seconds)


def postgres_restart(deployment: ScaledDeployment, seconds: float) -> None:
    subprocess.run(POSTGRES_RESTART, check=True, capture_output=True)


def redis_down(deployment: ScaledDeployment, seconds: float) -> None:
    subprocess.run(REDIS_STOP, capture_output=True)
    time.sleep(seconds)
    subprocess.run(REDIS_START, check=True, capture_output=True)


def no_fault(deployment: ScaledDeployment, seconds: float) -> None:
    """The baseline: the same load through nginx, nothing broken."""


FAULTS: Dict[str, Callable[[ScaledDeployment, float], None]] = {
    "none": no_fault, "kill-rasa": kill_rasa, "actions-down": actions_down,
    "postgres-restart": postgres_restart, "redis-down": redis_down,
}


async def run_with_fault(deployment: ScaledDeployment, fault: str, users: int, seconds: float,
                         fault_at: float, fault_for: float) -> tuple:
    window = Window()

    async def inject() -> None:
        await asyncio.sleep(fault_at)
        started = time.monotonic()
        window.start = fault_at
        await asyncio.to_thread(FAULTS[fault], deployment, fault_for)
        window.end = fault_at + time.monotonic() - started

    (results, wall), _ = await asyncio.gather(generate([deployment.url("rasa")], users, seconds), inject())
    return results, wall, window


def wait_until_recovered(deployment: ScaledDeployment) -> float:
    """Seconds until both Rasa replicas, the action servers and the API answer again."""
    started = time.monotonic()
    checks = [f"{deployment.url('rasa', n)}/status?token={deployment.rasa_token}" for n in (1, 2)]
    checks += [f"{deployment.url('actions', n)}/health" for n in (1, 2)]
    checks += [f"{deployment.url('api')}/health"]
    while time.monotonic() - started < RECOVERY_SECONDS:
        if all(responds_ok(url) for url in checks):
            return time.monotonic() - started
        time.sleep(1)
    raise RuntimeError(f"not recovered in {RECOVERY_SECONDS}s\n{deployment.logs()}")


def apologies(results: Results) -> int:
    return sum(1 for turn in results.turns if apologised(turn))


def plot(results: Results, window: Window, fault: str, path: Path) -> None:
    """Latency of every request over time (failed ones marked) and completions per 2 s."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 2]})
    kinds = {
        "answered": ([t for t in results.turns if not t.error and not apologised(t)], "tab:blue", "."),
        "polite apology": ([t for t in results.turns if apologised(t)], "tab:orange", "o"),
        "failed (HTTP error, timeout, no reply)": ([t for t in results.turns if t.error], "tab:red", "x"),
    }
    for label, (turns, colour, marker) in kinds.items():
        top.scatter([t.at + t.seconds for t in turns], [t.seconds * 1000 for t in turns],
                    s=10, c=colour, marker=marker, label=f"{label}: {len(turns)}")
    top.set_yscale("log")
    top.set_ylabel("latency (ms)")
    top.legend(loc="upper right", fontsize=8)
    bins = int(max((t.at + t.seconds for t in results.turns), default=0) // 2) + 1
    for label, (turns, colour, _) in kinds.items():
        counts = [0] * bins
        for turn in turns:
            counts[int((turn.at + turn.seconds) // 2)] += 1
        bottom.step([2 * n for n in range(bins)], counts, where="post", color=colour)
    bottom.set_ylabel("replies per 2 s")
    bottom.set_xlabel("seconds since the load started")
    for axis in (top, bottom):
        axis.axvspan(window.start, max(window.end, window.start + 0.5), color="grey", alpha=0.2)
    top.set_title(f"{fault}: fault from {window.start:.0f} s to {window.end:.0f} s (grey)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--faults", default=",".join(FAULTS), help=f"comma-separated: {', '.join(FAULTS)}")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fault-at", type=float, default=15.0)
    parser.add_argument("--fault-for", type=float, default=15.0)
    parser.add_argument("--plots", type=Path, help="write fault-<name>.png here")
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def run_fault(deployment: ScaledDeployment, fault: str, args: argparse.Namespace) -> Dict[str, object]:
    results, wall, window = asyncio.run(
        run_with_fault(deployment, fault, args.users, args.seconds, args.fault_at, args.fault_for))
    recovery = wait_until_recovered(deployment)
    row = summary(results, wall, 2, args.users)
    problems = integrity(deployment.database_url, deployment.url("rasa"), deployment.rasa_token, results)
    if args.plots:
        plot(results, window, fault, args.plots / f"fault-{fault}.png")
    return {"fault": fault, **row, "apologies": apologies(results),
            "fault_seconds": round(window.end - window.start, 1),
            "recovered_after_s": round(recovery, 1), "problems": problems}


def print_rows(rows: List[Dict[str, object]]) -> None:
    print("| fault | requests | answered | polite apology | failed | p95 | tickets | complaints | lost |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        answered = int(row["requests"]) - int(row["errors"]) - int(row["apologies"])
        print(f"| {row['fault']} ({row['fault_seconds']} s) | {row['requests']} | {answered} | "
              f"{row['apologies']} | {row['errors']} {row['errors_by_kind'] or ''} | {row['p95_ms']} ms | "
              f"{row['tickets']} | {row['complaints']} | {len(row['problems'])} |")
        for problem in row["problems"][:10]:
            print(f"    {problem}")


def main() -> None:
    args = parse()
    faults = [name for name in args.faults.split(",") if name]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise SystemExit(f"unknown faults: {sorted(unknown)}; known: {sorted(FAULTS)}")
    deployment = ScaledDeployment(run_dir=Path(tempfile.mkdtemp(prefix="letan-faults-")))
    rows: List[Dict[str, object]] = []
    try:
        print(f"starting the scaled deployment (logs in {deployment.run_dir}) …", flush=True)
        deployment.start()
        for fault in faults:
            print(f"{fault}: {args.users} users for {args.seconds:.0f} s, fault at {args.fault_at:.0f} s",
                  flush=True)
            rows.append(run_fault(deployment, fault, args))
    finally:
        deployment.stop()
    print_rows(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

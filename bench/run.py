"""Benchmark: concurrent simulated conversations over REST and socket.io against our bot (in
memory, on Redis, the two-server cluster of `make run-cluster`) and a plain `rasa init
--no-prompt` bot trained and served on the same machine in the same run.

    python -m bench.run                         # 3 rounds, concurrency 20, 45 s per load
    python -m bench.run -r 3 -c 20 -d 45 --configs memory,redis,cluster,baseline --protocols rest,socketio
    python -m bench.run -r 1 -d 10              # a quick check that everything works

Every server is started once and stays up; then each round loads every configuration once per
protocol, in an order that rotates from round to round, so that the plain bot's runs are
interleaved with ours on a noisy machine. Per configuration and protocol it reports the median
over the rounds and the spread (min-max) of turns per second, p50/p95/p99 latency, and server CPU
milliseconds per turn from /proc (utime+stime of the Rasa server processes and their children, of
the action server, of Redis and nginx), next to peak RSS and start-up time; then the ratios to the
plain bot (per round, against the same round's baseline) and the issue's aims. Writes
bench/results.md. Needs the trained model (models/bot.tar.gz), and redis-server and nginx for
`redis`/`cluster` (bot/setup/cluster.sh). `workers` (on Redis, SANIC_WORKERS=2) is optional.
A full run (3 rounds, 4 configurations, 2 protocols, 45 s) takes about 30 minutes.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.load import Result, load, median_spread  # noqa: E402
from bench.servers import BASELINE_SCRIPT, NAMES, OUR_SCRIPT, free_port  # noqa: E402,F401

LABEL = {"rest": "REST", "socketio": "socket.io"}
ROLES = ("rasa", "actions", "other")


def _runs(results: List[Result], config: str, protocol: str) -> List[Result]:
    return [r for r in results if r.name == config and r.protocol == protocol]


def _ratio_per_round(ours: List[Result], base: List[Result], value) -> List[float]:
    by_round = {b.round: value(b) for b in base}
    return [value(r) / by_round[r.round] for r in ours if by_round.get(r.round)]


def report(results: List[Result], started: Dict[str, servers.Server], args) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"`python -m bench.run -r {args.rounds} -c {args.concurrency} -d {args.duration:.0f}` on "
        f"{platform.node()} ({os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}), {time.strftime('%Y-%m-%d %H:%M')}, load average at the end "
        f"{os.getloadavg()[0]:.2f}. {args.concurrency} simulated conversations at a time, "
        f"{args.duration:.0f} s per load, {args.rounds} round(s); in each round every configuration "
        f"is loaded once per protocol, in an order that rotates per round (so the plain bot's runs "
        f"are interleaved with ours). REST: one request per turn; socket.io (the widget's "
        f"protocol): a turn ends when its replies have arrived. Each simulated client has its own "
        f"loopback address (nginx's ip_hash spreads them). Our conversation: {len(OUR_SCRIPT)} "
        f"turns (greeting, form, crisis in the form, organisation question); the baseline is the "
        f"`rasa init` mood bot ({len(BASELINE_SCRIPT)} turns). Figures: median over the rounds, "
        f"(min-max) the spread. CPU ms/turn: utime+stime from /proc during the load, divided by the "
        f"turns served; `rasa` = the Rasa server process(es) and their children, `actions` = the "
        f"action server, `other` = Redis and nginx. RSS: the largest Rasa server process. Start-up: "
        f"from launch until `GET /` answers (ours includes the action server).",
        "",
        "| configuration | protocol | turns/s | p50 ms | p95 ms | p99 ms | errors "
        "| CPU ms/turn rasa | actions | other | total | RSS peak MB | start-up s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    configs = [c for c in args.configs if c in started]
    for config in configs:
        for protocol in args.protocols:
            runs = _runs(results, config, protocol)
            if not runs:
                continue
            lines.append(
                f"| {NAMES[config]} | {LABEL[protocol]} | {median_spread([r.tps for r in runs])} | "
                f"{median_spread([r.pct(50) for r in runs], '{:.0f}')} | "
                f"{median_spread([r.pct(95) for r in runs], '{:.0f}')} | "
                f"{median_spread([r.pct(99) for r in runs], '{:.0f}')} | {sum(r.errors for r in runs)} | "
                + " | ".join(median_spread([r.cpu_ms_per_turn(role) for r in runs]) for role in ROLES)
                + f" | {median_spread([r.cpu_ms_per_turn() for r in runs])} | "
                f"{max(r.rss_peak_mb for r in runs):.0f} | {started[config].startup_s:.1f} |"
            )
    if "baseline" in configs and len(configs) > 1:
        lines += [
            "",
            "Ratios to the plain `rasa init` bot over the same protocol, per round against that "
            "round's baseline run: median (min-max). Aims of issue 16: one server >= 1.5x the turns/s "
            "with a p95 no higher (<= 1.0x), the cluster >= 2x, server CPU per turn (total) <= 0.6x.",
            "",
            "| configuration | protocol | turns/s | p50 | p95 | CPU/turn (total) | aims met (median) |",
            "|---|---|---|---|---|---|---|",
        ]
        for config in configs:
            if config == "baseline":
                continue
            for protocol in args.protocols:
                ours, base = _runs(results, config, protocol), _runs(results, "baseline", protocol)
                if not ours or not base:
                    continue
                tps = _ratio_per_round(ours, base, lambda r: r.tps)
                p50 = _ratio_per_round(ours, base, lambda r: r.pct(50))
                p95 = _ratio_per_round(ours, base, lambda r: r.pct(95))
                cpu = _ratio_per_round(ours, base, lambda r: r.cpu_ms_per_turn())
                aim_tps = 2.0 if config == "cluster" else 1.5
                med = statistics.median
                checks = [
                    f"turns/s {'yes' if tps and med(tps) >= aim_tps else 'no'}",
                    f"p95 {'yes' if p95 and med(p95) <= 1.0 else 'no'}",
                    f"CPU {'yes' if cpu and med(cpu) <= 0.6 else 'no'}",
                ]
                lines.append(
                    f"| {NAMES[config]} | {LABEL[protocol]} | {median_spread(tps, '{:.2f}x')} | "
                    f"{median_spread(p50, '{:.2f}x')} | {median_spread(p95, '{:.2f}x')} | "
                    f"{median_spread(cpu, '{:.2f}x')} | {', '.join(checks)} |"
                )
    lines += [
        "",
        "Every run (in the order they ran):",
        "",
        "| round | configuration | protocol | turns/s | p95 ms | CPU ms/turn | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.round + 1} | {NAMES[r.name]} | {LABEL[r.protocol]} | {r.tps:.1f} | {r.pct(95):.0f} | "
            f"{r.cpu_ms_per_turn():.1f} | {r.errors} |"
        )
    notes = [f"- {NAMES[c]}: {s.note}" for c, s in started.items() if s.note]
    notes += sorted({f"- {NAMES[r.name]}, {LABEL[r.protocol]}: {r.note}" for r in results if r.note})
    if notes:
        lines += ["", *notes]
    lines += ["", "The machine is shared; single runs vary by 10-20%, hence the rounds and per-round ratios.", ""]
    return "\n".join(lines)


def crisis_layer_cost() -> str:
    """Per-message cost of the crisis layer (bot/crisis.py: phrases + classifier), in process,
    over every message of the corpus: the part the crisis work adds to a turn."""
    from bot.crisis import layer
    from tests.corpus.evaluate import load_messages

    crisis = layer()
    texts = [m["text"] for m in load_messages()]
    for t in texts[:50]:  # warm up
        crisis.detect(t)
    times = []
    for t in texts:
        start = time.perf_counter()
        crisis.detect(t)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return (
        f"Crisis layer, in process, {len(times)} corpus messages: median "
        f"{statistics.median(times):.2f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms, "
        f"max {times[-1]:.2f} ms per message."
    )


def _print(r: Result) -> None:
    print(
        f"[bench] round {r.round + 1}, {NAMES[r.name]}, {LABEL[r.protocol]}: {r.tps:.1f} turns/s, "
        f"p50 {r.pct(50):.0f} ms, p95 {r.pct(95):.0f} ms, errors {r.errors}, CPU "
        + ", ".join(f"{k} {r.cpu_ms_per_turn(k):.1f}" for k in r.cpu)
        + f" ms/turn, RSS peak {r.rss_peak_mb:.0f} MB",
        flush=True,
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--concurrency", type=int, default=20)
    p.add_argument("-d", "--duration", type=float, default=45.0, help="seconds per load")
    p.add_argument("-r", "--rounds", type=int, default=3, help="each configuration is loaded once per round")
    p.add_argument("--configs", default="memory,redis,cluster,baseline", help=f"of: {', '.join(NAMES)}")
    p.add_argument("--protocols", default="rest,socketio")
    p.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    p.add_argument("--baseline-dir", default=None, help="keep the trained rasa init bot here (default: temporary)")
    args = p.parse_args(argv)
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    args.protocols = [x.strip() for x in args.protocols.split(",") if x.strip()]
    for x in args.protocols:
        if x not in LABEL:
            p.error(f"unknown protocol {x!r} (rest, socketio)")
    for c in args.configs:
        if c not in NAMES:
            p.error(f"unknown configuration {c!r} ({', '.join(NAMES)})")
    needs = {"redis": ["redis-server"], "workers": ["redis-server"], "cluster": ["redis-server", "nginx"]}
    started: Dict[str, servers.Server] = {}
    results: List[Result] = []
    t0 = time.monotonic()
    try:
        for config in args.configs:
            missing = [t for t in needs.get(config, []) if not shutil.which(t)]
            if missing:
                print(f"[bench] {config}: {', '.join(missing)} missing (bash bot/setup/cluster.sh); skipped", flush=True)
                continue
            print(f"[bench] starting {NAMES[config]}", flush=True)
            base_dir = Path(args.baseline_dir) if args.baseline_dir and config == "baseline" else None
            try:
                started[config] = servers.start(config, base_dir)
            except Exception as e:  # noqa: BLE001 - one configuration that cannot start is skipped
                print(f"[bench] {NAMES[config]} did not start ({e}); skipped", flush=True)
                continue
            print(f"[bench] {NAMES[config]} up in {started[config].startup_s:.1f} s", flush=True)
        order = list(started)
        for rnd in range(args.rounds):
            for config in order[rnd % len(order) :] + order[: rnd % len(order)]:
                server = started[config]
                for protocol in args.protocols:
                    result = Result(config, protocol, round=rnd, startup_s=server.startup_s)
                    load(server.url, server.script, args.concurrency, args.duration, result, server.roles)
                    results.append(result)
                    _print(result)
    finally:
        for server in started.values():
            server.stop()
    text = report(results, started, args)
    cost = crisis_layer_cost()
    text += "\n" + cost + f"\n\nThe whole run took {(time.monotonic() - t0) / 60:.1f} minutes.\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

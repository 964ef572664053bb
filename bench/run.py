"""Benchmark: concurrent simulated conversations over REST, in memory and on Redis, compared with
a plain `rasa init --no-prompt` bot trained and served on the same machine.

    python -m bench.run                       # concurrency 20, 60 s per configuration
    python -m bench.run -c 20 -d 60 --configs memory,redis,baseline

Reports turns per second, p50/p95/p99 latency, peak RSS of the Rasa server and start-up time,
and our figures as ratios to the plain bot. Writes bench/results.md.
Needs the trained model (models/bot.tar.gz) and, for `redis`, redis-server (bot/setup_redis.sh).
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.redis_server import redis_server
from bot.launcher import VENV_BIN, _stop, _wait_http, base_env, start_stack, stop_stack  # noqa: E402

# One conversation of our bot: greeting, safety check, a worry that starts the form, the form's
# questions, a crisis inside the form, an organisation question, goodbye.
OUR_SCRIPT = [
    "hallo", "/affirm", "ik maak me zorgen om mijn buurmeisje, ze moet drugs rondbrengen",
    "/affirm", "er staat nu iemand met een mes voor de deur", "/deny", "/deny",
    "wat doet Koraal?", "doei",
]
# One conversation of the `rasa init` mood bot.
BASELINE_SCRIPT = ["hello", "I am sad", "yes", "are you a bot?", "great", "bye"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        pids += [int(p) for p in children.split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.stop_flag = pid, every, 0.0, False

    def run(self):
        while not self.stop_flag:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(self.every)


@dataclass
class Result:
    name: str
    startup_s: float = 0.0
    turns: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: List[float] = field(default_factory=list)
    rss_idle_mb: float = 0.0
    rss_peak_mb: float = 0.0
    note: str = ""

    @property
    def tps(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] * 1000


async def _conversations(url: str, script: List[str], concurrency: int, duration: float,
                         result: Result) -> None:
    deadline = time.monotonic() + duration
    timeout = aiohttp.ClientTimeout(total=120)

    async def worker(n: int):
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while time.monotonic() < deadline:
                sender = f"bench-{n}-{uuid.uuid4().hex[:8]}"
                for text in script:
                    if time.monotonic() >= deadline:
                        return
                    start = time.monotonic()
                    try:
                        async with session.post(f"{url}/webhooks/rest/webhook",
                                                json={"sender": sender, "message": text}) as r:
                            await r.read()
                            ok = r.status == 200
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        ok = False
                    result.latencies.append(time.monotonic() - start)
                    result.turns += ok
                    result.errors += not ok

    start = time.monotonic()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    result.seconds = time.monotonic() - start


def load(url: str, script: List[str], concurrency: int, duration: float, result: Result,
         pid: int) -> None:
    # warm-up: one conversation, not counted
    warm = Result("warm-up")
    asyncio.run(_conversations(url, script, 1, 0.1, warm))
    result.rss_idle_mb = rss_mb(pid)
    sampler = RssSampler(pid)
    sampler.start()
    asyncio.run(_conversations(url, script, concurrency, duration, result))
    sampler.stop_flag = True
    sampler.join()
    result.rss_peak_mb = max(sampler.peak, result.rss_idle_mb)


def run_ours(name: str, concurrency: int, duration: float, redis_url: Optional[str]) -> Result:
    result = Result(name)
    env = {"REDIS_URL": redis_url} if redis_url else {}
    old = os.environ.get("REDIS_URL")
    if redis_url:
        os.environ["REDIS_URL"] = redis_url  # write_endpoints reads it
    else:
        os.environ.pop("REDIS_URL", None)
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    start = time.monotonic()
    try:
        stack = start_stack(free_port(), free_port(), log_dir=logs, env=env, timeout=300)
    finally:
        if old is None:
            os.environ.pop("REDIS_URL", None)
        else:
            os.environ["REDIS_URL"] = old
    result.startup_s = time.monotonic() - start
    try:
        load(stack.url, OUR_SCRIPT, concurrency, duration, result, stack.rasa.pid)
    finally:
        stop_stack(stack)
        shutil.rmtree(logs, ignore_errors=True)
    return result


def run_baseline(concurrency: int, duration: float, workdir: Path) -> Result:
    """Train (once) and serve the plain `rasa init --no-prompt` bot."""
    result = Result("rasa init (baseline)")
    env = {**base_env(), "RASA_TELEMETRY_ENABLED": "false"}
    env.pop("PYTHONPATH", None)
    trained = (workdir / "models").exists() and any((workdir / "models").glob("*.tar.gz"))
    if not trained:
        t = time.monotonic()
        subprocess.run([str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(workdir)],
                       cwd=workdir, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        result.note = f"trained in {time.monotonic() - t:.0f} s"
    port = free_port()
    log = open(workdir / "rasa.log", "w")
    start = time.monotonic()
    proc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "--port", str(port), "-i", "127.0.0.1"],
                            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 300, proc, "baseline Rasa server")
        result.startup_s = time.monotonic() - start
        load(f"http://127.0.0.1:{port}", BASELINE_SCRIPT, concurrency, duration, result, proc.pid)
    finally:
        _stop(proc)
    return result


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def report(results: List[Result], concurrency: int, duration: float) -> str:
    base = next((r for r in results if r.name.startswith("rasa init")), None)
    cpu = os.cpu_count()
    lines = [
        "# Benchmark results", "",
        f"`python -m bench.run -c {concurrency} -d {duration:.0f}` on {platform.node()} "
        f"({cpu} cores, {platform.platform()}, Python {platform.python_version()}), "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Simulated conversations over REST, {concurrency} at a "
        f"time, {duration:.0f} s per configuration. Our conversation: {len(OUR_SCRIPT)} turns "
        f"(greeting, form, crisis in the form, organisation question); the baseline is the "
        f"`rasa init` mood bot ({len(BASELINE_SCRIPT)} turns). Start-up: from launch until "
        f"`GET /` answers (ours includes the action server). RSS: the Rasa server process.", "",
        "| configuration | turns/s | p50 ms | p95 ms | p99 ms | errors | RSS idle MB | RSS peak MB | start-up s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r.name} | {r.tps:.1f} | {r.pct(50):.0f} | {r.pct(95):.0f} | "
                     f"{r.pct(99):.0f} | {r.errors} | {r.rss_idle_mb:.0f} | {r.rss_peak_mb:.0f} | "
                     f"{r.startup_s:.1f} |")
    if base:
        lines += ["", "Ratios to the plain `rasa init` bot (turns/s: higher is better; the rest: "
                  "lower is better):", "",
                  "| configuration | turns/s | p50 | p95 | p99 | RSS peak | start-up |",
                  "|---|---|---|---|---|---|---|"]
        for r in results:
            if r is base:
                continue
            lines.append(f"| {r.name} | {ratio(r.tps, base.tps)} | {ratio(r.pct(50), base.pct(50))} | "
                         f"{ratio(r.pct(95), base.pct(95))} | {ratio(r.pct(99), base.pct(99))} | "
                         f"{ratio(r.rss_peak_mb, base.rss_peak_mb)} | {ratio(r.startup_s, base.startup_s)} |")
    notes = [f"- {r.name}: {r.note}" for r in results if r.note]
    if notes:
        lines += ["", *notes]
    lines += ["", "The machine is shared; figures vary from run to run by 10-20%.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--concurrency", type=int, default=20)
    p.add_argument("-d", "--duration", type=float, default=60.0, help="seconds per configuration")
    p.add_argument("--configs", default="memory,redis,baseline")
    p.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    p.add_argument("--baseline-dir", default=None,
                   help="keep the trained rasa init bot here (default: a temporary directory)")
    args = p.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    results: List[Result] = []
    for config in configs:
        print(f"[bench] {config}: starting", flush=True)
        if config == "memory":
            results.append(run_ours("ours, in memory", args.concurrency, args.duration, None))
        elif config == "redis":
            if not shutil.which("redis-server"):
                print("[bench] redis-server missing (bash bot/setup_redis.sh); skipped", flush=True)
                continue
            with redis_server(free_port()) as url:
                results.append(run_ours("ours, Redis", args.concurrency, args.duration, url))
        elif config == "baseline":
            keep = Path(args.baseline_dir) if args.baseline_dir else None
            workdir = keep or Path(tempfile.mkdtemp(prefix="bench-rasa-init-"))
            workdir.mkdir(parents=True, exist_ok=True)
            try:
                results.append(run_baseline(args.concurrency, args.duration, workdir))
            finally:
                if keep is None:
                    shutil.rmtree(workdir, ignore_errors=True)
        else:
            p.error(f"unknown configuration {config!r}")
        r = results[-1]
        print(f"[bench] {r.name}: {r.tps:.1f} turns/s, p50 {r.pct(50):.0f} ms, p95 {r.pct(95):.0f} ms, "
              f"p99 {r.pct(99):.0f} ms, errors {r.errors}, RSS peak {r.rss_peak_mb:.0f} MB, "
              f"start-up {r.startup_s:.1f} s", flush=True)
    text = report(results, args.concurrency, args.duration)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

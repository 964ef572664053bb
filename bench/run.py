"""Benchmark: concurrent simulated conversations over REST and socket.io, in memory and on Redis,
compared with a plain `rasa init --no-prompt` bot trained and served on the same machine.

    python -m bench.run                       # concurrency 20, 60 s per configuration and protocol
    python -m bench.run -c 20 -d 60 --configs memory,redis,baseline --protocols rest,socketio

Reports turns per second, p50/p95/p99 latency, peak RSS of the Rasa server and start-up time,
and our figures as ratios to the plain bot. Writes bench/results.md.
Needs the trained model (models/bot.tar.gz) and, for `redis`, redis-server (bot/setup_redis.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.redis_server import redis_server  # noqa: E402
from bot.launcher import VENV_BIN, _stop, _wait_http, base_env, start_stack, stop_stack  # noqa: E402
from bot.web.sio_client import SioChat, texts  # noqa: E402

# One conversation of our bot: greeting, safety check, a worry that starts the form, the form's
# questions, a crisis inside the form, an organisation question, goodbye.
OUR_SCRIPT = [
    "hallo",
    "/affirm",
    "ik maak me zorgen om mijn buurmeisje, ze moet drugs rondbrengen",
    "/affirm",
    "er staat nu iemand met een mes voor de deur",
    "/deny",
    "/deny",
    "wat doet Koraal?",
    "doei",
]
LABEL = {"rest": "REST", "socketio": "socket.io"}
BASELINE = "rasa init (baseline)"
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


async def _rest_worker(url: str, script: List[str], deadline: float, result: Result, n: int):
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while time.monotonic() < deadline:
            sender = f"bench-{n}-{uuid.uuid4().hex[:8]}"
            for text in script:
                if time.monotonic() >= deadline:
                    return
                start = time.monotonic()
                try:
                    async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
                        await r.read()
                        ok = r.status == 200
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    ok = False
                result.latencies.append(time.monotonic() - start)
                result.turns += ok
                result.errors += not ok


async def _sio_worker(url: str, script: List[str], deadline: float, result: Result, n: int, expected: List[List[str]]):
    """socket.io has no end of a turn: a turn ends when as many replies as in the quiet warm-up
    have arrived, and counts only when they are the same texts (the bots' answers do not vary);
    its latency is the time until the last of them. Replies left over from a turn are errors."""
    while time.monotonic() < deadline:
        try:
            chat = SioChat(url, first_timeout=120)
            await chat.open()
        except Exception:  # noqa: BLE001 - a refused connection is an error, not a crash
            result.errors += 1
            await asyncio.sleep(1)
            continue
        try:
            for text, want in zip(script, expected):
                if time.monotonic() >= deadline:
                    return
                stale = 0
                while not chat.replies.empty():
                    chat.replies.get_nowait()
                    stale += 1
                result.errors += stale > 0
                start = time.monotonic()
                await chat.send(text)
                got = await chat.collect_count(len(want), 120)
                ok = texts(got) == want and chat.last_reply_at >= start
                result.latencies.append((chat.last_reply_at if ok else time.monotonic()) - start)
                result.turns += ok
                result.errors += not ok
                if not ok:
                    break
        finally:
            await chat.close()


async def expected_replies(url: str, script: List[str]) -> List[List[str]]:
    """The texts each turn of the script gets, from one quiet conversation."""
    async with SioChat(url, quiet=2.0) as chat:
        return [texts(await chat.say(text)) for text in script]


async def _conversations(
    url: str,
    script: List[str],
    concurrency: int,
    duration: float,
    result: Result,
    protocol: str = "rest",
    expected: Optional[List[List[str]]] = None,
) -> None:
    deadline = time.monotonic() + duration
    start = time.monotonic()
    if protocol == "rest":
        workers = [_rest_worker(url, script, deadline, result, n) for n in range(concurrency)]
    else:
        workers = [_sio_worker(url, script, deadline, result, n, expected or []) for n in range(concurrency)]
    await asyncio.gather(*workers)
    result.seconds = time.monotonic() - start


def load(
    url: str, script: List[str], concurrency: int, duration: float, result: Result, pid: int, protocol: str = "rest"
) -> None:
    expected = asyncio.run(expected_replies(url, script)) if protocol == "socketio" else None
    if expected is not None:
        if not all(expected):
            raise RuntimeError(f"a turn got no reply in the warm-up: {expected}")
        result.note = f"replies per turn {[len(e) for e in expected]}"
    # warm-up: one conversation, not counted
    warm = Result("warm-up")
    asyncio.run(_conversations(url, script, 1, 0.1, warm, protocol, expected))
    result.rss_idle_mb = rss_mb(pid)
    sampler = RssSampler(pid)
    sampler.start()
    asyncio.run(_conversations(url, script, concurrency, duration, result, protocol, expected))
    sampler.stop_flag = True
    sampler.join()
    result.rss_peak_mb = max(sampler.peak, result.rss_idle_mb)


def run_ours(name: str, concurrency: int, duration: float, redis_url: Optional[str], protocols: List[str]) -> List[Result]:
    """Start our stack once and load it over each protocol in turn."""
    # start_stack hands env to write_endpoints; "" keeps a REDIS_URL of the shell out of `memory`.
    env = {"REDIS_URL": redis_url or ""}
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    start = time.monotonic()
    stack = start_stack(free_port(), free_port(), log_dir=logs, env=env, timeout=300)
    startup = time.monotonic() - start
    results = []
    try:
        for protocol in protocols:
            result = Result(f"{name}, {LABEL[protocol]}", startup_s=startup)
            load(stack.url, OUR_SCRIPT, concurrency, duration, result, stack.rasa.pid, protocol)
            results.append(result)
    finally:
        stop_stack(stack)
        shutil.rmtree(logs, ignore_errors=True)
    return results


BASELINE_CREDENTIALS = """rest:
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""


def run_baseline(concurrency: int, duration: float, workdir: Path, protocols: List[str]) -> List[Result]:
    """Train (once) and serve the plain `rasa init --no-prompt` bot (REST and socket.io on)."""
    env = {**base_env(), "RASA_TELEMETRY_ENABLED": "false"}
    env.pop("PYTHONPATH", None)
    note = ""
    trained = (workdir / "models").exists() and any((workdir / "models").glob("*.tar.gz"))
    if not trained:
        t = time.monotonic()
        subprocess.run(
            [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(workdir)],
            cwd=workdir,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        note = f"trained in {time.monotonic() - t:.0f} s"
    (workdir / "bench-credentials.yml").write_text(BASELINE_CREDENTIALS)
    port = free_port()
    log = open(workdir / "rasa.log", "w")
    start = time.monotonic()
    proc = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "--port", str(port), "-i", "127.0.0.1", "--credentials", "bench-credentials.yml"],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results = []
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 300, proc, "baseline Rasa server")
        startup = time.monotonic() - start
        for protocol in protocols:
            result = Result(f"{BASELINE}, {LABEL[protocol]}", startup_s=startup, note=note)
            load(f"http://127.0.0.1:{port}", BASELINE_SCRIPT, concurrency, duration, result, proc.pid, protocol)
            if note and result.note != note:
                result.note = f"{note}; {result.note}"
            results.append(result)
    finally:
        _stop(proc)
    return results


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def report(results: List[Result], concurrency: int, duration: float) -> str:
    cpu = os.cpu_count()
    lines = [
        "# Benchmark results",
        "",
        f"`python -m bench.run -c {concurrency} -d {duration:.0f}` on {platform.node()} "
        f"({cpu} cores, {platform.platform()}, Python {platform.python_version()}), "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Simulated conversations, {concurrency} at a time, "
        f"{duration:.0f} s per configuration, over REST (one request per turn) and socket.io "
        f"(the widget's protocol: a turn ends when its replies have arrived; latency until the "
        f"last one). Our conversation: {len(OUR_SCRIPT)} turns (greeting, form, crisis in the "
        f"form, organisation question); the baseline is the `rasa init` mood bot "
        f"({len(BASELINE_SCRIPT)} turns), served on the same machine in the same run. Start-up: "
        f"from launch until `GET /` answers (ours includes the action server). RSS: the Rasa "
        f"server process.",
        "",
        "| configuration | turns/s | p50 ms | p95 ms | p99 ms | errors | RSS idle MB | RSS peak MB | start-up s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.tps:.1f} | {r.pct(50):.0f} | {r.pct(95):.0f} | "
            f"{r.pct(99):.0f} | {r.errors} | {r.rss_idle_mb:.0f} | {r.rss_peak_mb:.0f} | "
            f"{r.startup_s:.1f} |"
        )
    bases = {r.name.split(", ")[-1]: r for r in results if r.name.startswith(BASELINE)}
    ours = [r for r in results if not r.name.startswith(BASELINE) and r.name.split(", ")[-1] in bases]
    if ours:
        lines += [
            "",
            "Ratios to the plain `rasa init` bot over the same protocol (turns/s: higher "
            "is better; the rest: lower is better):",
            "",
            "| configuration | turns/s | p50 | p95 | p99 | RSS peak | start-up |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in ours:
            base = bases[r.name.split(", ")[-1]]
            lines.append(
                f"| {r.name} | {ratio(r.tps, base.tps)} | {ratio(r.pct(50), base.pct(50))} | "
                f"{ratio(r.pct(95), base.pct(95))} | {ratio(r.pct(99), base.pct(99))} | "
                f"{ratio(r.rss_peak_mb, base.rss_peak_mb)} | {ratio(r.startup_s, base.startup_s)} |"
            )
    notes = [f"- {r.name}: {r.note}" for r in results if r.note]
    if notes:
        lines += ["", *notes]
    lines += ["", "The machine is shared; figures vary from run to run by 10-20%.", ""]
    return "\n".join(lines)


def crisis_layer_cost() -> str:
    """Per-message cost of the crisis layer (bot/crisis.py: phrases + classifier), in process,
    over every message of the corpus: the part the crisis work adds to a turn."""
    import statistics

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
    p95 = times[int(0.95 * (len(times) - 1))]
    return (
        f"Crisis layer, in process, {len(times)} corpus messages: median "
        f"{statistics.median(times):.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms per message."
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--concurrency", type=int, default=20)
    p.add_argument("-d", "--duration", type=float, default=60.0, help="seconds per configuration")
    p.add_argument("--configs", default="memory,redis,baseline")
    p.add_argument("--protocols", default="rest,socketio")
    p.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    p.add_argument(
        "--baseline-dir", default=None, help="keep the trained rasa init bot here (default: a temporary directory)"
    )
    args = p.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    protocols = [x.strip() for x in args.protocols.split(",") if x.strip()]
    for x in protocols:
        if x not in LABEL:
            p.error(f"unknown protocol {x!r} (rest, socketio)")
    results: List[Result] = []
    for config in configs:
        print(f"[bench] {config}: starting", flush=True)
        if config == "memory":
            new = run_ours("ours, in memory", args.concurrency, args.duration, None, protocols)
        elif config == "redis":
            if not shutil.which("redis-server"):
                print("[bench] redis-server missing (bash bot/setup_redis.sh); skipped", flush=True)
                continue
            with redis_server(free_port()) as url:
                new = run_ours("ours, Redis", args.concurrency, args.duration, url, protocols)
        elif config == "baseline":
            keep = Path(args.baseline_dir) if args.baseline_dir else None
            workdir = keep or Path(tempfile.mkdtemp(prefix="bench-rasa-init-"))
            workdir.mkdir(parents=True, exist_ok=True)
            try:
                new = run_baseline(args.concurrency, args.duration, workdir, protocols)
            finally:
                if keep is None:
                    shutil.rmtree(workdir, ignore_errors=True)
        else:
            p.error(f"unknown configuration {config!r}")
        results += new
        for r in new:
            print(
                f"[bench] {r.name}: {r.tps:.1f} turns/s, p50 {r.pct(50):.0f} ms, p95 {r.pct(95):.0f} ms, "
                f"p99 {r.pct(99):.0f} ms, errors {r.errors}, RSS peak {r.rss_peak_mb:.0f} MB, "
                f"start-up {r.startup_s:.1f} s",
                flush=True,
            )
    text = report(results, args.concurrency, args.duration)
    cost = crisis_layer_cost()
    print(f"[bench] {cost}", flush=True)
    text += "\n" + cost + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load generation and measurement for bench/run.py: simulated conversations over REST and
socket.io, latency percentiles, RSS and CPU seconds of server processes from /proc."""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

from bot.web.sio_client import SioChat, texts

_HZ = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> Optional[List[str]]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def tree(pid: int) -> List[int]:
    """pid and all its descendants (from /proc/*/stat)."""
    parents: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st:
                parents.setdefault(int(st[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += parents.get(p, [])
    return out


def cpu_seconds(pids: Sequence[int]) -> float:
    """utime + stime of the processes, their descendants, and the children they waited for."""
    total = 0.0
    for root in pids:
        for i, p in enumerate(tree(root)):
            st = _stat(p)
            if st:
                total += sum(int(x) for x in st[11:13]) + (sum(int(x) for x in st[13:15]) if i == 0 else 0)
    return total / _HZ


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class RssSampler(threading.Thread):
    """Peak RSS of each of several processes (the largest one is what a server needs)."""

    def __init__(self, pids: Sequence[int], every: float = 0.5):
        super().__init__(daemon=True)
        self.pids, self.every, self.peak, self.stop_flag = list(pids), every, 0.0, False

    def run(self):
        while not self.stop_flag:
            self.peak = max([self.peak, *(rss_mb(p) for p in self.pids)])
            time.sleep(self.every)


@dataclass
class Result:
    name: str
    protocol: str
    round: int = 0
    startup_s: float = 0.0
    turns: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: List[float] = field(default_factory=list)
    rss_idle_mb: float = 0.0
    rss_peak_mb: float = 0.0
    cpu: Dict[str, float] = field(default_factory=dict)  # role -> CPU seconds during the load
    note: str = ""

    @property
    def tps(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] * 1000

    def cpu_ms_per_turn(self, role: Optional[str] = None) -> float:
        secs = sum(self.cpu.values()) if role is None else self.cpu.get(role, 0.0)
        return 1000 * secs / self.turns if self.turns else float("nan")


def client_addr(n: int) -> str:
    """A loopback source address per simulated client, so that nginx's ip_hash (which hashes
    the first three octets) spreads socket.io clients over the servers as it would real users."""
    return f"127.0.{1 + n % 250}.1"


def _session(n: int, timeout: float = 120) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(local_addr=(client_addr(n), 0))
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout), connector=connector)


async def _rest_worker(url: str, script: List[str], deadline: float, result: Result, n: int):
    async with _session(n) as session:
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


def _chat(url: str, session: aiohttp.ClientSession, **kw) -> SioChat:
    import socketio

    chat = SioChat(url, **kw)
    chat.client = socketio.AsyncClient(reconnection=False, http_session=session)
    return chat


async def _sio_worker(url: str, script: List[str], deadline: float, result: Result, n: int, expected: List[List[str]]):
    """socket.io has no end of a turn: a turn ends when as many replies as in the quiet warm-up
    have arrived, and counts only when they are the same texts (the bots' answers do not vary);
    its latency is the time until the last of them. Replies left over from a turn are errors."""
    async with _session(n) as session:
        while time.monotonic() < deadline:
            chat = _chat(url, session, first_timeout=120)
            try:
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
    async with _session(0) as session:
        async with _chat(url, session, quiet=2.0) as chat:
            return [texts(await chat.say(text)) for text in script]


async def _conversations(url, script, concurrency, duration, result, protocol, expected) -> None:
    deadline = time.monotonic() + duration
    start = time.monotonic()
    if protocol == "rest":
        workers = [_rest_worker(url, script, deadline, result, n) for n in range(concurrency)]
    else:
        workers = [_sio_worker(url, script, deadline, result, n, expected or []) for n in range(concurrency)]
    await asyncio.gather(*workers)
    result.seconds = time.monotonic() - start


def load(url: str, script: List[str], concurrency: int, duration: float, result: Result, roles: Dict[str, List[int]]):
    """Warm up, then `concurrency` conversations for `duration` s. roles: name -> pids whose CPU
    time is counted ("rasa" also gives the RSS)."""
    expected = None
    if result.protocol == "socketio":
        expected = asyncio.run(expected_replies(url, script))
        if not all(expected):
            raise RuntimeError(f"a turn got no reply in the warm-up: {expected}")
        result.note = f"replies per turn {[len(e) for e in expected]}"
    warm = Result("warm-up", result.protocol)
    asyncio.run(_conversations(url, script, 1, 0.1, warm, result.protocol, expected))
    rasa = roles.get("rasa", [])
    result.rss_idle_mb = max([0.0, *(rss_mb(p) for p in rasa)])
    sampler = RssSampler(rasa)
    sampler.start()
    before = {role: cpu_seconds(pids) for role, pids in roles.items()}
    asyncio.run(_conversations(url, script, concurrency, duration, result, result.protocol, expected))
    result.cpu = {role: cpu_seconds(pids) - before[role] for role, pids in roles.items()}
    sampler.stop_flag = True
    sampler.join()
    result.rss_peak_mb = max(sampler.peak, result.rss_idle_mb)


def median_spread(values: List[float], fmt: str = "{:.1f}") -> str:
    """'median (min-max)' of the runs."""
    values = [v for v in values if v == v]
    if not values:
        return "-"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"

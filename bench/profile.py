"""Where a turn's server time goes: the trained model in process, one conversation at a time.

    python -m bench.profile                    # 30 conversations of PROFILE_SCRIPT, writes bench/profile.md
    python -m bench.profile -n 50 --model models/bot.tar.gz --out /tmp/p.md --redis
    python -m bench.profile --model before.tar.gz --model after.tar.gz   # alternating; a before/after table

With --json FILE it also writes the per-component figures as JSON.

The Rasa Agent is loaded from the model as `rasa run` loads it (bot/serve.py's patches applied,
endpoints.yml from bot/launcher.py: the real action server as a subprocess, the expiring in-memory
tracker store or, with --redis, a throw-away redis-server). Every graph node (each NLU component,
each policy, the ensemble), the tracker store, the action-server round trip and the processor
steps around them are timed, and each frame's own time (its time minus that of the timed frames
inside it) is summed per turn. What the table calls a component is one such frame. The HTTP
front (Sanic, the REST channel, bot/channels/guard.py) is not in it: `make bench` measures it.

Also prints which policy chose each action (policy_counts) and the replies of one conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional
from bench.profile_report import before_after, report, summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A realistic conversation: greeting, safety check, a worry that starts the routing form, the
# form's questions answered, Meldcode step questions, a crisis message, an organisation, goodbye.
PROFILE_SCRIPT = [
    "hallo",
    "/affirm",
    "ik maak me zorgen om mijn buurmeisje van 14, ze moet drugs rondbrengen",
    "nee",
    "ik wil liever anoniem blijven",
    "wat zijn de stappen van de meldcode?",
    "wat houdt stap 3 in?",
    "er staat nu iemand met een mes voor de deur",
    "wat doet Koraal?",
    "doei",
]


def _cpu_ticks(pid: int) -> float:
    """utime + stime of a process and its children that were waited for, in seconds (/proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    hz = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in fields[11:15]) / hz  # utime stime cutime cstime


class Frames:
    """A stack of timed frames; each frame's own (exclusive) wall and CPU time per turn."""

    def __init__(self) -> None:
        self.stack: List[list] = []  # [name, start_wall, start_cpu, child_wall, child_cpu]
        self.turn: Dict[str, List[float]] = defaultdict(lambda: [0.0, 0.0])
        self.policy_of_action: Counter = Counter()

    def enter(self, name: str) -> None:
        self.stack.append([name, time.perf_counter(), time.process_time(), 0.0, 0.0])

    def leave(self) -> None:
        name, w0, c0, cw, cc = self.stack.pop()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        own = self.turn[name]
        own[0] += wall - cw
        own[1] += cpu - cc
        if self.stack:
            self.stack[-1][3] += wall
            self.stack[-1][4] += cpu

    def phase(self) -> str:
        for frame in reversed(self.stack):
            if frame[0].startswith("NLU"):
                return "NLU"
            if frame[0].startswith("policies"):
                return "policy"
        return "graph"

    def take_turn(self) -> Dict[str, List[float]]:
        out, self.turn = dict(self.turn), defaultdict(lambda: [0.0, 0.0])
        return out


FRAMES = Frames()


def _wrap_async(owner, attr: str, name: str) -> None:
    original = getattr(owner, attr)

    @functools.wraps(original)
    async def timed(*args, **kwargs):
        FRAMES.enter(name)
        try:
            return await original(*args, **kwargs)
        finally:
            FRAMES.leave()

    setattr(owner, attr, timed)


def _wrap_sync(owner, attr: str, name: str, after=None) -> None:
    original = getattr(owner, attr)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        FRAMES.enter(name)
        try:
            result = original(*args, **kwargs)
            if after:
                after(result)
            return result
        finally:
            FRAMES.leave()

    setattr(owner, attr, timed)


NODE_LABELS = {
    "nlu_message_converter": "message converter",
    "domain_provider": "domain provider",
    "rule_only_data_provider": "rule-only data provider",
    "select_prediction": "ensemble (select_prediction)",
}


def node_label(node: str) -> str:
    import re

    if node in NODE_LABELS:
        return NODE_LABELS[node]
    m = re.match(r"run_(.+?)(\d+)$", node)
    name = m.group(1) if m else node
    name = name.rsplit(".", 1)[-1]
    if name == "DangerDetector":
        name = "DangerDetector (crisis layer)"
    return name


def instrument() -> None:
    """Time the processor's steps, every graph node, the tracker store and remote actions."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    _wrap_async(MessageProcessor, "handle_message", "processor: rest of handle_message")
    _wrap_async(MessageProcessor, "fetch_tracker_and_update_session", "tracker: fetch + session check")
    _wrap_async(MessageProcessor, "parse_message", "NLU: graph run, gate, follow-up")
    _wrap_async(MessageProcessor, "run_action_extract_slots", "action_extract_slots")
    _wrap_sync(MessageProcessor, "predict_next_with_tracker_if_should", "policies: graph run, action lookup", _count_policy)
    _wrap_async(MessageProcessor, "_run_action", "actions: Rasa side (responses, forms, events)")
    _wrap_async(MessageProcessor, "save_tracker", "tracker: save")
    _wrap_async(RemoteAction, "run", "action server call: Rasa side (tracker JSON, checks)")
    _wrap_async(EndpointConfig, "request", "action server call: HTTP + action server")

    original = GraphNode.__call__

    def call(self, *inputs):
        FRAMES.enter(f"{FRAMES.phase()}: {node_label(self._node_name)}")
        try:
            return original(self, *inputs)
        finally:
            FRAMES.leave()

    GraphNode.__call__ = call


def _count_policy(result) -> None:
    action, prediction = result
    FRAMES.policy_of_action[f"{prediction.policy_name or '-'} -> {action.name()}"] += 1


def _instrument_store(store) -> None:
    _wrap_async(store, "retrieve", "tracker: retrieve (deserialise)")
    _wrap_async(store, "save", "tracker: store save (serialise)")


async def _load(model: Path, endpoints: Path):
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
    _instrument_store(agent.tracker_store)
    return agent


async def _conversation(agent, script: List[str], turns: Optional[list], replies: Optional[list], actions_pid: int):
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    sender = f"rest:profile-{uuid.uuid4().hex[:10]}"
    for i, text in enumerate(script):
        out = CollectingOutputChannel()
        FRAMES.take_turn()
        a0 = _cpu_ticks(actions_pid)
        w0 = time.perf_counter()
        c0 = time.process_time()
        FRAMES.enter("agent: lock store, message")
        try:
            await agent.handle_message(UserMessage(text, out, sender, input_channel="rest"))
        finally:
            FRAMES.leave()
        total = [(time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000]
        frames = FRAMES.take_turn()
        if turns is not None:
            turns.append(
                (i, total, {k: (v[0] * 1000, v[1] * 1000) for k, v in frames.items()}, _cpu_ticks(actions_pid) - a0)
            )
        if replies is not None:
            replies.append((text, [m.get("text", "") for m in out.messages]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--conversations", type=int, default=30)
    p.add_argument("--model", action="append", help="a trained model (default models/bot.tar.gz); twice: before, after")
    p.add_argument("--out", default=str(ROOT / "bench" / "profile.md"))
    p.add_argument("--redis", action="store_true", help="Redis tracker and lock store (throw-away redis-server)")
    p.add_argument("--json", default=None, help="also write the per-component figures here as JSON")
    p.add_argument("--label", action="append", help="name of each --model in the before/after table")
    args = p.parse_args(argv)
    models = [Path(m) for m in (args.model or [ROOT / "models" / "bot.tar.gz"])]
    labels = (args.label or []) + [m.name for m in models][len(args.label or []) :]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bench.run import free_port
    from bot import serve
    from bot.launcher import _stop, _wait_http, start_actions, write_endpoints

    # The action server first: apply_gate sets SANIC_REQUEST_MAX_SIZE (64 KB) in os.environ, which
    # the action server must not inherit (the launcher starts it without that limit).
    workdir = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    action_port = free_port()
    actions = start_actions(action_port, workdir, open(workdir / "actions.log", "w"))
    serve.apply_all()  # before structlog is configured: apply_gate takes serve's _redact
    # As `rasa run` without --debug: no debug lines (structlog prints them all by default).
    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)
    logging.getLogger().setLevel(logging.WARNING)
    instrument()
    redis_proc = None
    env = {}
    if args.redis:
        from bot.redis_server import start_redis

        redis_port = free_port()
        redis_proc = start_redis(redis_port)
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    try:
        _wait_http(f"http://127.0.0.1:{action_port}/health", 120, actions, "action server")
        endpoints = write_endpoints(workdir, action_port, env)

        async def go():
            agents = [await _load(m, endpoints) for m in models]
            runs: list = [([], Counter()) for _ in agents]
            for agent in agents:
                replies: list = []
                for k in range(3):
                    await _conversation(agent, PROFILE_SCRIPT, None, replies if k == 0 else None, actions.pid)
                for text, said in replies:
                    print(f"> {text}\n  " + "\n  ".join(s.replace("\n", " ")[:110] for s in said))
            for _ in range(args.conversations):
                for agent, (turns, policies) in zip(agents, runs):
                    FRAMES.policy_of_action = policies
                    await _conversation(agent, PROFILE_SCRIPT, turns, None, actions.pid)
            return runs

        runs = asyncio.run(go())
    finally:
        _stop(actions)
        if redis_proc is not None:
            from bot.redis_server import stop_redis

            stop_redis(redis_proc)
        shutil.rmtree(workdir, ignore_errors=True)
    store = "Redis" if args.redis else "in memory (expiring)"
    parts, figures = [], []
    for model, label, (turns, policies) in zip(models, labels, runs):
        parts.append(f"## {label}\n\n" + report(turns, PROFILE_SCRIPT, model, args.conversations, store, policies))
        figures.append({"model": str(model), "label": label, "components": summary(turns)})
    text = "# Where a turn's server time goes\n\n"
    if len(runs) > 1:
        text += before_after(figures[0]["components"], figures[-1]["components"], labels[0], labels[-1])
    text += "\n".join(parts)
    import json

    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does a cheaper model answer the same? Two trained models, the same conversations, every reply.

    python -m bench.compare models/bot.tar.gz /tmp/models/cheaper.tar.gz

Plays, in process with the real action server (as bench/profile.py), every conversation of the
crisis corpus (tests/corpus/conversations, turn by turn), every corpus message as the first
message of a new conversation (tests/corpus/messages), the user turns of every test story
(tests/test_*.yml, tests/stories/*.yml) in order, and bench/profile.py's script, through each model. Compares per
turn the actions the bot ran and the texts and buttons it sent. Exit code 1 when they differ.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def story_turns() -> List[Tuple[str, List[str]]]:
    """(id, user texts) of every test story; a step with only an intent becomes its payload."""
    out = []
    for path in sorted([*(ROOT / "tests").glob("test_*.yml"), *(ROOT / "tests" / "stories").glob("*.yml")]):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for story in data.get("stories", []):
            texts = []
            for step in story.get("steps", []):
                if "user" in step:
                    texts.append(str(step["user"]).strip())
                elif "intent" in step:
                    texts.append(f"/{step['intent']}")
            if texts:
                out.append((f"story:{path.stem}:{story.get('story')}", texts))
    return out


def scripts() -> List[Tuple[str, List[str]]]:
    from bench.profile import PROFILE_SCRIPT
    from tests.corpus.evaluate import load_conversations, load_messages

    out = [("profile", PROFILE_SCRIPT)]
    out += [(f"conv:{c['id']}", [t["user"] for t in c["turns"]]) for c in load_conversations()]
    out += story_turns()
    out += [(f"msg:{i}", [m["text"]]) for i, m in enumerate(load_messages())]
    return out


async def play(model: Path, endpoints: Path, items) -> Dict[str, list]:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.events import ActionExecuted, UserUttered

    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
    result: Dict[str, list] = {}
    for n, (key, texts) in enumerate(items):
        sender = f"rest:compare-{n}"
        turns = []
        for text in texts:
            out = CollectingOutputChannel()
            await agent.handle_message(UserMessage(text, out, sender, input_channel="rest"))
            tracker = await agent.tracker_store.retrieve(sender)
            events = list(tracker.events)
            last_user = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
            actions = [e.action_name for e in events[last_user:] if isinstance(e, ActionExecuted)]
            intent = events[last_user].intent.get("name")
            said = [json.dumps({k: m.get(k) for k in ("text", "buttons")}, ensure_ascii=False) for m in out.messages]
            turns.append({"text": text, "intent": intent, "actions": actions, "said": said})
        result[key] = turns
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reference")
    p.add_argument("candidate")
    p.add_argument("--limit", type=int, default=0, help="only the first N conversations (0: all)")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import logging

    from bench.run import free_port
    from bot import serve
    from bot.launcher import _stop, _wait_http, start_actions, write_endpoints

    # The action server first: apply_gate sets SANIC_REQUEST_MAX_SIZE (64 KB) in os.environ, which
    # the action server must not inherit (the launcher starts it without that limit).
    workdir = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    port = free_port()
    actions = start_actions(port, workdir, open(workdir / "actions.log", "w"))
    serve.apply_all()
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)
    logging.getLogger().setLevel(logging.ERROR)
    items = scripts()
    if args.limit:
        items = items[: args.limit]
    try:
        _wait_http(f"http://127.0.0.1:{port}/health", 120, actions, "action server")
        endpoints = write_endpoints(workdir, port, {})
        ref = asyncio.run(play(Path(args.reference), endpoints, items))
        cand = asyncio.run(play(Path(args.candidate), endpoints, items))
    finally:
        _stop(actions)
        shutil.rmtree(workdir, ignore_errors=True)
    turns = sum(len(v) for v in ref.values())
    diff_actions = diff_said = 0
    for key, _ in items:
        for a, b in zip(ref[key], cand[key]):
            if a["actions"] != b["actions"] or a["said"] != b["said"] or a["intent"] != b["intent"]:
                diff_actions += a["actions"] != b["actions"]
                diff_said += a["said"] != b["said"]
                print(f"DIFF {key}: {a['text'][:70]!r}")
                print(f"   ref  {a['intent']} {a['actions']}")
                print(f"   cand {b['intent']} {b['actions']}")
    print(
        f"[compare] {len(items)} conversations, {turns} turns: {diff_actions} turns with other actions, "
        f"{diff_said} with other texts or buttons"
    )
    return 1 if diff_actions or diff_said else 0


if __name__ == "__main__":
    sys.exit(main())

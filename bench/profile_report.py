"""The tables of bench/profile.py: per-turn times per component, and before against after."""

from __future__ import annotations
import os
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List


def _median(xs: List[float]) -> float:
    return statistics.median(xs) if xs else 0.0


def report(turns: list, script: List[str], model: Path, conversations: int, store: str, policy_counts: Counter) -> str:
    n = len(turns)
    names = sorted({k for _, _, f, _ in turns for k in f})
    per: Dict[str, List[float]] = {k: [f.get(k, (0.0, 0.0))[0] for _, _, f, _ in turns] for k in names}
    cpu: Dict[str, List[float]] = {k: [f.get(k, (0.0, 0.0))[1] for _, _, f, _ in turns] for k in names}
    totals = [t[0] for _, t, _, _ in turns]
    total_cpu = [t[1] for _, t, _, _ in turns]
    act_cpu = [a * 1000 for *_, a in turns]
    mean_total = statistics.mean(totals)
    rows = sorted(names, key=lambda k: -statistics.mean(per[k]))
    load = os.getloadavg()
    lines = [
        f"`python -m bench.profile -n {conversations}` ({time.strftime('%Y-%m-%d %H:%M')}, model "
        f"`{model.name}`, tracker store: {store}, load average at the end {load[0]:.2f}): the Rasa "
        f"Agent in process, the real action server as a subprocess, {conversations} conversations "
        f"of {len(script)} turns one after the other after 3 warm-up conversations, {n} turns. Each row "
        f"is a timed frame's own time (minus the timed frames inside it), summed per turn; "
        f"\"median\" is over turns (0 when most turns do not use it), \"mean\" adds up to the "
        f"total, \"share\" is of the mean total. CPU = this process's CPU time (all threads).",
        "",
        "| component | ms per turn, median | mean | p95 | CPU ms mean | share |",
        "|---|---|---|---|---|---|",
    ]
    for k in rows:
        xs = sorted(per[k])
        p95 = xs[int(0.95 * (len(xs) - 1))]
        lines.append(
            f"| {k} | {_median(per[k]):.2f} | {statistics.mean(per[k]):.2f} | {p95:.2f} | "
            f"{statistics.mean(cpu[k]):.2f} | {100 * statistics.mean(per[k]) / mean_total:.1f}% |"
        )
    xs = sorted(totals)
    lines += [
        f"| **total per turn (Rasa process)** | **{_median(totals):.1f}** | **{mean_total:.1f}** | "
        f"{xs[int(0.95 * (len(xs) - 1))]:.1f} | {statistics.mean(total_cpu):.1f} | 100% |",
        f"| action server process CPU (outside the Rasa process, /proc) | {_median(act_cpu):.1f} | "
        f"{statistics.mean(act_cpu):.1f} | | | |",
        "",
        "Grouped (mean ms per turn): "
        + ", ".join(
            f"{g} {sum(statistics.mean(per[k]) for k in names if k.startswith(g)):.1f}"
            for g in ("NLU", "policy", "policies", "tracker", "action server", "actions", "action_extract")
        ),
        "",
        "Per turn of the script (median ms of the Rasa process):",
        "",
        "| # | message | total | NLU | policies | action server call |",
        "|---|---|---|---|---|---|",
    ]
    for i, text in enumerate(script):
        ts = [t for t in turns if t[0] == i]

        def grp(prefixes, ts=ts):
            return _median([sum(v[0] for k, v in f.items() if k.startswith(prefixes)) for _, _, f, _ in ts])

        lines.append(
            f"| {i + 1} | {text[:48]} | {_median([t[1][0] for t in ts]):.1f} | {grp(('NLU',)):.1f} | "
            f"{grp(('policy', 'policies')):.1f} | {grp(('action server',)):.1f} |"
        )
    lines += ["", "Which policy chose the actions (all conversations):", ""]
    lines += [f"- {k}: {v}" for k, v in policy_counts.most_common()]
    return "\n".join(lines) + "\n"


def summary(turns: list) -> dict:
    """component -> [median, mean] ms per turn, plus the total and the action server's CPU."""
    names = sorted({k for _, _, f, _ in turns for k in f})
    out = {}
    for k in names:
        xs = [f.get(k, (0.0, 0.0))[0] for _, _, f, _ in turns]
        cs = [f.get(k, (0.0, 0.0))[1] for _, _, f, _ in turns]
        out[k] = [_median(xs), statistics.mean(xs), statistics.mean(cs)]
    totals = [t[0] for _, t, _, _ in turns]
    out["total per turn (Rasa process)"] = [
        _median(totals),
        statistics.mean(totals),
        statistics.mean(t[1] for _, t, _, _ in turns),
    ]
    acts = [a * 1000 for *_, a in turns]
    out["action server process CPU"] = [_median(acts), statistics.mean(acts), statistics.mean(acts)]
    return out


def before_after(before: dict, after: dict, label_before: str, label_after: str) -> str:
    keys = sorted(set(before) | set(after), key=lambda k: -max(before.get(k, [0, 0])[1], after.get(k, [0, 0])[1]))
    keys = [k for k in keys if not k.startswith(("total", "action server process"))]
    keys += ["total per turn (Rasa process)", "action server process CPU"]
    tb, ta = before["total per turn (Rasa process)"][1], after["total per turn (Rasa process)"][1]
    lines = [
        f"## Before and after: {label_before} -> {label_after}",
        "",
        "ms per turn: wall median over turns, wall mean (the means add up to the total), CPU mean "
        "(this process's CPU time, less disturbed by other jobs on the machine), share of the own "
        "total (wall means). Both models were loaded in the same process and played the script "
        "in alternation (conversation by conversation), so both saw the same machine.",
        "",
        "| component | before median | mean | CPU | share | after median | mean | CPU | share |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for k in keys:
        b, a = before.get(k), after.get(k)

        def cells(x, total):
            return f"{x[0]:.2f} | {x[1]:.2f} | {x[2]:.2f} | {100 * x[1] / total:.1f}%" if x else "- | - | - | -"

        bold = "**" if k.startswith("total") else ""
        lines.append(f"| {bold}{k}{bold} | {cells(b, tb)} | {cells(a, ta)} |")
    return "\n".join(lines) + "\n\n"

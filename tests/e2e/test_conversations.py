"""Routing scenarios as whole conversations against the running bot (tests/corpus/simulate.py).

A simulated user answers the bot's questions in free text. The report (right routes, dead
ends, turns) is printed and written to results/routing-report.{txt,json}. The limits are
regression guards a little under what the bot reaches now (README, "No dead ends"); issue 17
asks for >= 95% right routes. Raise them as the bot improves; never lower them to pass.
"""

from tests.corpus import simulate as sim
from tests.helpers import rest_say

# The read scenarios: 278 (routing.yml and routing_read*.yml: every set whose transcripts the
# developers have read), 98.2% right and 2.5% with a dead end on 2026-12-03 (the LR intent
# classifier is deterministic). One scenario is 0.36%.
MIN_RIGHT_ROUTES = 0.96
MAX_DEAD_ENDS = 0.03
# The seventh set (routing_read_6.yml, 40, held7-*), harder than the others (openings that hide
# the topic, a question before the story): 55.0% right and 35.0% with a dead end unread on
# 2026-12-04, 75.0% / 22.5% after the mechanisms it showed were mended. Guarded on its own, so
# the guard of the 278 above keeps its level.
HARD_SET = "held7-"
MIN_RIGHT_ROUTES_HARD = 0.725
MAX_DEAD_ENDS_HARD = 0.25
# Bare fallback replies per message (the "<= 3% of messages without a useful next step"):
# 0.7% of 914 replies on the read scenarios.
MAX_DEAD_END_REPLIES = 0.03
# The held-out scenarios (tests/corpus/heldout_scenarios/routing_heldout_6.yml, 40, never read):
# 90.0% right and 7.5% with a dead end on 2026-12-03, the day they were written (0.7% of 145
# replies the bare fallback). One scenario is 2.5%.
MIN_RIGHT_ROUTES_HELD_OUT = 0.85
MAX_DEAD_ENDS_HELD_OUT = 0.10


def test_routing_scenarios(bot_stack):
    report = sim.evaluate(lambda text, sender: rest_say(bot_stack.url, text, sender))
    sim.write(report)
    print("\n" + sim.format_report(report))
    assert report["scenarios"] >= 60
    assert report["dead_end_replies"] <= MAX_DEAD_END_REPLIES, sim.format_report(report)
    hard = [r for r in report["rows"] if r["id"].startswith(HARD_SET)]
    rest = [r for r in report["rows"] if not r["id"].startswith(HARD_SET)]
    assert len(hard) == 40 and len(rest) >= 278
    share = lambda rows, key: sum(r[key] for r in rows) / len(rows)  # noqa: E731
    assert share(rest, "right") >= MIN_RIGHT_ROUTES, sim.format_report(report)
    assert share(rest, "dead_end") <= MAX_DEAD_ENDS, sim.format_report(report)
    assert share(hard, "right") >= MIN_RIGHT_ROUTES_HARD, sim.format_report(report)
    assert share(hard, "dead_end") <= MAX_DEAD_ENDS_HARD, sim.format_report(report)


def test_held_out_routing_scenarios(bot_stack):
    report = sim.evaluate(lambda text, sender: rest_say(bot_stack.url, text, sender), folder="heldout_scenarios")
    print("\nheld out: " + sim.format_report(report))
    assert report["scenarios"] >= 20
    assert report["right_routes"] >= MIN_RIGHT_ROUTES_HELD_OUT, sim.format_report(report)
    assert report["dead_ends"] <= MAX_DEAD_ENDS_HELD_OUT, sim.format_report(report)

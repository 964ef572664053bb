"""Routing scenarios as whole conversations against the running bot (tests/corpus/simulate.py).

A simulated user answers the bot's questions in free text. The report (right routes, dead
ends, turns) is printed and written to results/routing-report.{txt,json}. The limits are
regression guards a little under what the bot reaches now (README, "No dead ends"); issue 17
asks for >= 95% right routes. Raise them as the bot improves; never lower them to pass.
"""

from tests.corpus import simulate as sim
from tests.helpers import rest_say

# The read scenarios: the 168 of before (94.6% right, 2.4% dead ends) plus routing_read_3.yml,
# the former held-out set (30; 73.3% / 13.3% unread), not yet mended: 198 scenarios, 91.4% right
# and 4.0% dead ends on 2026-12-03 (the LR intent classifier is deterministic).
MIN_RIGHT_ROUTES = 0.89
MAX_DEAD_ENDS = 0.06
# The held-out scenarios (tests/corpus/heldout_scenarios/routing_heldout_4.yml, 40, never read):
# 85.0% right and 10.0% dead ends on 2026-12-03, the day they were written. One scenario is 2.5%.
MIN_RIGHT_ROUTES_HELD_OUT = 0.80
MAX_DEAD_ENDS_HELD_OUT = 0.15


def test_routing_scenarios(bot_stack):
    report = sim.evaluate(lambda text, sender: rest_say(bot_stack.url, text, sender))
    sim.write(report)
    print("\n" + sim.format_report(report))
    assert report["scenarios"] >= 60
    assert report["right_routes"] >= MIN_RIGHT_ROUTES, sim.format_report(report)
    assert report["dead_ends"] <= MAX_DEAD_ENDS, sim.format_report(report)


def test_held_out_routing_scenarios(bot_stack):
    report = sim.evaluate(lambda text, sender: rest_say(bot_stack.url, text, sender), folder="heldout_scenarios")
    print("\nheld out: " + sim.format_report(report))
    assert report["scenarios"] >= 20
    assert report["right_routes"] >= MIN_RIGHT_ROUTES_HELD_OUT, sim.format_report(report)
    assert report["dead_ends"] <= MAX_DEAD_ENDS_HELD_OUT, sim.format_report(report)

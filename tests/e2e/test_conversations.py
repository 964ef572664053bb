"""Routing scenarios as whole conversations against the running bot (tests/corpus/simulate.py).

A simulated user answers the bot's questions in free text. The report (right routes, dead
ends, turns) is printed and written to results/routing-report.{txt,json}. The limits are
regression guards a little under what the bot reaches now (README, "No dead ends"); issue 17
asks for >= 95% right routes. Raise them as the bot improves; never lower them to pass.
"""

from tests.corpus import simulate as sim
from tests.helpers import rest_say

MIN_RIGHT_ROUTES = 0.85  # 91.5% of the 118 scenarios on the evening of 2026-12-02
MAX_DEAD_ENDS = 0.07  # 4.2%
# The held-out scenarios (tests/corpus/heldout_scenarios/, never tuned on): 72.5% right and 15%
# dead ends for the 40 written on 2026-12-02; that evening their odd half moved to
# scenarios/routing_read.yml (read while fixing mechanisms), and the 20 left, unread, got 70.0%
# right and 20.0% dead ends. With 20 scenarios one is 5%: guards a scenario under that.
MIN_RIGHT_ROUTES_HELD_OUT = 0.65
MAX_DEAD_ENDS_HELD_OUT = 0.25


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

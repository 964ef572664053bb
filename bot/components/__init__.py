"""The bot's own graph components (named in config.yml).

Importing this package, which every process that trains, tests or serves the model does, also
gives Rasa's RulePolicy an index of its rules (rule_index.py; the same predictions, fewer checks).
"""

from bot.components import rule_index

rule_index.install()

"""A form whose answers all get the same check: `check(slot, value, dispatcher, tracker)`.

rasa-sdk calls `validate_<slot>` for each slot a form asks; this base answers that call for
every slot in `SLOTS`, so a form does not repeat one method per question.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Callable, Dict, Sequence

from rasa_sdk import FormValidationAction


class OneCheckForm(FormValidationAction):
    SLOTS: Sequence[str] = ()

    @abstractmethod  # abstract: rasa-sdk's executor registers only concrete actions
    def check(self, slot: str, value: Any, dispatcher, tracker, domain=None) -> Dict[str, Any]:
        """The slot's value after the check (None: ask again)."""

    def __getattr__(self, name: str) -> Callable:
        slot = name[len("validate_") :] if name.startswith("validate_") else None
        if slot not in type(self).SLOTS:
            raise AttributeError(name)
        return lambda value, dispatcher, tracker, domain: self.check(slot, value, dispatcher, tracker, domain)

"""What the project's NLU components share: they are not trained and are built from their
config alone; `register` adds them to Rasa's recipe. Importable without Rasa (pure tests)."""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe


def register(kind: str):
    """Class decorator: register as a non-trainable component of the given ComponentType name."""

    def decorate(cls):
        if DefaultV1Recipe is None:  # pragma: no cover
            return cls
        return DefaultV1Recipe.register([getattr(DefaultV1Recipe.ComponentType, kind)], is_trainable=False)(cls)

    return decorate


class StatelessComponent(GraphComponent):  # type: ignore[misc]
    """A component without training state: `create` builds it from its config."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: Any, resource: Any, execution_context: Any
    ) -> "StatelessComponent":
        return cls(config)

"""Which channels the Rasa server runs: those of credentials.yml whose settings are present.

credentials.yml uses Rasa's ${VAR} syntax. A channel whose section names a variable that is
not set (in the environment or in a git-ignored .env file) is left out, so the server starts
and serves the other channels. The filtered file keeps the ${VAR} placeholders; Rasa fills
them in from the environment at start.

An optional setting is written ${VAR:-default} (as in the shell) and never keeps a channel
out: the filtered file has ${VAR} when VAR is set, else the default. (Rasa itself does not
know this form: run the server through bot/launcher.py, as `make run` does.)

`team_chats()`: the team chat connectors of credentials.yml (bot/channels/team_base.py), which
the tests check one by one.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

import yaml

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = ROOT / "credentials.yml"
# ${VAR} (required) or ${VAR:-default} (optional): the name, then the default if any.
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def read_dotenv(path: Path = ROOT / ".env") -> Dict[str, str]:
    values: Dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def variables(section: Any) -> List[str]:
    """The required settings of a section: its ${VAR}s without a default."""
    found = VAR.finditer(yaml.safe_dump(section)) if section else []
    return [m.group(1) for m in found if m.group(2) is None]


def _fill_defaults(section: Any, env: Mapping[str, str]) -> Any:
    """The section with every ${VAR:-default} replaced by ${VAR} when VAR is set, else the default."""
    if isinstance(section, dict):
        return {k: _fill_defaults(v, env) for k, v in section.items()}
    if isinstance(section, list):
        return [_fill_defaults(v, env) for v in section]
    if isinstance(section, str):
        return VAR.sub(lambda m: "${%s}" % m.group(1) if m.group(2) is None or env.get(m.group(1)) else m.group(2), section)
    return section


def read_channels(path: Path = CREDENTIALS) -> Dict[str, Any]:
    """The sections of credentials.yml, as written."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def credentials(
    env: Optional[Mapping[str, str]] = None, path: Path = CREDENTIALS, dotenv: Path = ROOT / ".env"
) -> Tuple[Dict[str, Any], List[str]]:
    env = {**read_dotenv(dotenv), **(os.environ if env is None else env)}
    enabled = {
        name: _fill_defaults(section, env)
        for name, section in read_channels(path).items()
        if all(env.get(v) for v in variables(section))
    }
    return enabled, list(enabled)


def channel_class(key: str) -> Type[Any]:
    """The class a key of credentials.yml names ("bot.channels.slack.ThreadedSlackInput")."""
    module, _, name = key.rpartition(".")
    return getattr(importlib.import_module(module), name)


def team_chats(path: Path = CREDENTIALS) -> Dict[str, Type[Any]]:
    """{key: class} of the team chat connectors in credentials.yml, in the file's order."""
    from bot.channels.team_base import TeamChatInput

    classes = {key: channel_class(key) for key in read_channels(path) if "." in key}
    return {key: cls for key, cls in classes.items() if issubclass(cls, TeamChatInput)}

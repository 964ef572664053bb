"""Which channels the Rasa server runs: those of credentials.yml whose settings are present.

credentials.yml uses Rasa's ${VAR} syntax. A channel whose section names a variable that is
not set (in the environment or in a git-ignored .env file) is left out, so the server starts
and serves the other channels. The filtered file keeps the ${VAR} placeholders; Rasa fills
them in from the environment at start.

Optional settings (OPTIONAL, with their defaults) never keep a channel out: when one is not
set, its ${VAR} is replaced by the default in the filtered file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Settings a channel can do without, and what is used when they are not set.
OPTIONAL: Dict[str, str] = {
    "SLACK_API_URL": "https://slack.com/api/",  # Slack's Web API (a stand-in in tests)
    "MICROSOFT_APP_TENANT_ID": "botframework.com",  # multi-tenant bots; else the tenant id
}


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
    return VAR.findall(yaml.safe_dump(section)) if section else []


def _fill_defaults(section: Any, env: Mapping[str, str]) -> Any:
    """The section with every unset optional ${VAR} replaced by its default."""
    if isinstance(section, dict):
        return {k: _fill_defaults(v, env) for k, v in section.items()}
    if isinstance(section, list):
        return [_fill_defaults(v, env) for v in section]
    if isinstance(section, str):
        return VAR.sub(
            lambda m: m.group(0) if env.get(m.group(1)) or m.group(1) not in OPTIONAL else OPTIONAL[m.group(1)], section
        )
    return section


def credentials(
    env: Optional[Mapping[str, str]] = None, path: Path = ROOT / "credentials.yml", dotenv: Path = ROOT / ".env"
) -> Tuple[Dict[str, Any], List[str]]:
    env = {**read_dotenv(dotenv), **(os.environ if env is None else env)}
    all_channels = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    enabled = {
        name: _fill_defaults(section, env)
        for name, section in all_channels.items()
        if all(env.get(v) for v in variables(section) if v not in OPTIONAL)
    }
    return enabled, list(enabled)

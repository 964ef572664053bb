"""Train the Rasa model only when data, domain, config or the custom components changed.

The stamp is a hash over everything that shapes the model; the model is models/bot.tar.gz.
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.language import CARD_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "bot.tar.gz"
STAMP = ROOT / ".stamps" / "model"
TRAIN_DATA = ["data/nlu", "data/rules", "data/stories"]
INPUTS = [
    "config.yml",
    "domain.yml",
    "domain",
    "bot/domain_files.py",
    "bot/crisis.py",
    "bot/crisis_phrases.py",
    "bot/language.py",
    "data/languages.yml",
    "data/organisaties.yml",  # the card texts in the domain have the numbers filled in
    *(f"data/texts/{lang}.yml" for lang in CARD_LANGUAGES),
    *TRAIN_DATA,
    "bot/components",
    "build/spacy_nl/meta.json",
]


def fingerprint() -> str:
    h = hashlib.sha256()
    for item in INPUTS:
        p = ROOT / item
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.is_file() and f.suffix in {".yml", ".yaml", ".py", ".json"} and "test_" not in f.name:
                h.update(str(f.relative_to(ROOT)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:20]


def main() -> int:
    fp = fingerprint()
    if MODEL.exists() and STAMP.exists() and STAMP.read_text().strip() == fp:
        print(f"[train] model up to date ({MODEL.relative_to(ROOT)})")
        return 0
    print("[train] training the model (1-3 minutes)...", flush=True)
    start = time.time()
    cmd = [
        str(ROOT / ".venv/bin/rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        *TRAIN_DATA,
        "--out",
        "models",
        "--fixed-model-name",
        "bot",
        "--force",
    ]
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode != 0:
        print("[train] training failed; see the output above", file=sys.stderr)
        return result.returncode
    STAMP.parent.mkdir(exist_ok=True)
    STAMP.write_text(fp)
    print(f"[train] done in {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

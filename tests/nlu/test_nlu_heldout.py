"""NLU evaluation on tests/nlu/*.yml (never used for training): at least 90% intents."""

import json
import os
import subprocess
from pathlib import Path

import yaml

from bot import domain_files

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "nlu"
OUT = ROOT / "results" / "nlu-heldout"
THRESHOLD = 0.90


def examples(path):
    if path.is_dir():
        return set().union(*(examples(p) for p in sorted(path.glob("*.yml"))))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = set()
    for item in data.get("nlu", []):
        if "intent" in item:
            for line in item["examples"].splitlines():
                line = line.strip().lstrip("- ").strip().lower()
                if line:
                    out.add(line)
    return out


def test_heldout_is_big_and_not_in_training():
    held = examples(HELDOUT)
    train = set().union(*(examples(p) for p in (ROOT / "data" / "nlu").glob("*.yml")))
    assert len(held) >= 150
    assert held.isdisjoint(train), sorted(held & train)[:5]


def test_heldout_intent_accuracy(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    domain = domain_files.write_merged(tmp_path / "domain.yml")  # Rasa's CLI reads one domain file
    subprocess.run(
        [
            str(ROOT / ".venv/bin/rasa"),
            "test",
            "nlu",
            "--nlu",
            str(HELDOUT),
            "--domain",
            str(domain),
            "--model",
            str(ROOT / "models/bot.tar.gz"),
            "--out",
            str(OUT),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    report = json.loads((OUT / "intent_report.json").read_text())
    print(f"\nheld-out intent accuracy: {report['accuracy']:.3f} " f"({len(examples(HELDOUT))} messages)")
    for intent, r in sorted(report.items()):
        if isinstance(r, dict) and "f1-score" in r and intent not in ("macro avg", "weighted avg", "micro avg"):
            print(
                f"  {intent:28s} P {r['precision']:.2f} R {r['recall']:.2f} "
                f"F1 {r['f1-score']:.2f} {r.get('confused_with') or ''}"
            )
    (ROOT / "results" / "nlu-accuracy.txt").write_text(f"{report['accuracy']:.4f}\n")
    assert report["accuracy"] >= THRESHOLD

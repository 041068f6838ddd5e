"""A synthetic corpus of conflict news, deterministic from a seed, for the benchmark.

Usage:  python benchmarks/corpus.py SIZE [--seed 7] [--english 0.2] [-o out/bench/corpus-SIZE.jsonl]

Articles are composed from the gazetteer's actors, places and sources and from the sentence shapes in
``benchmarks/templates.yaml`` (one list per ontology event kind, in several statuses and attributions, plus
sentences with no event). The output is a JSONL file in the form ``conflictkg build`` reads: one record per
article with ``id, text, date, source, url, lang``. The same size and seed give the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from conflictkg.export import write_atomic  # noqa: E402
from conflictkg.gazetteer import Entry  # noqa: E402
from conflictkg.gazetteer import load as load_gazetteer  # noqa: E402
from conflictkg.resources import read_yaml  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent / "templates.yaml"
SIZES = (10, 100, 1000, 10000)
PLACE_TYPES = {
    "Town", "Neighbourhood", "OilField", "GasField", "Airport", "MilitaryBase", "BorderCrossing", "PumpingStation",
}  # fmt: skip
ACTOR_TYPES = {"StateForce", "NonStateArmedGroup", "Militia", "Coalition", "Tribe"}
START = dt.date(2017, 6, 1)


@cache
def templates() -> dict:
    return read_yaml(TEMPLATES)


@cache
def _pools() -> dict[str, list[Entry]]:
    entries = sorted(load_gazetteer().entries.values(), key=lambda e: e.id)
    return {
        "place": [e for e in entries if e.kind == "place" and e.type in PLACE_TYPES],
        "actor": [e for e in entries if e.kind == "actor" and e.type in ACTOR_TYPES],
        "source": [e for e in entries if e.kind == "source" and e.type == "NewsAgency"],
    }


def _name(rng: random.Random, entry: Entry, lang: str) -> str:
    """The canonical name most of the time, a variant otherwise: papers vary their spelling."""
    names = entry.names[lang] or entry.names["en"]
    return names[0] if rng.random() < 0.6 else rng.choice(names)


def _sentence(rng: random.Random, lang: str, shape: str) -> str:
    pools = _pools()
    a1, a2 = rng.sample(pools["actor"], 2)
    p, p2 = rng.sample(pools["place"], 2)
    filled = shape.format(
        a1=_name(rng, a1, lang),
        a2=_name(rng, a2, lang),
        p=_name(rng, p, lang),
        p2=_name(rng, p2, lang),
        src=_name(rng, rng.choice(pools["source"]), lang),
        when=rng.choice(templates()[lang]["when"]),
    )
    return " ".join(filled.split()).replace(" .", ".").replace(" ،", "،").replace(" ,", ",")


def article(rng: random.Random, index: int, lang: str) -> dict:
    t = templates()
    shapes = t[lang]
    kinds = sorted(shapes["events"])
    sentences = []
    for _ in range(rng.randint(*t["sentences"])):
        if rng.random() < 0.25:
            sentences.append(rng.choice(shapes["filler"]))
        else:
            sentences.append(_sentence(rng, lang, rng.choice(shapes["events"][rng.choice(kinds)])))
    paragraphs, i = [], 0
    while i < len(sentences):
        n = rng.randint(*t["paragraph"])
        paragraphs.append(" ".join(sentences[i : i + n]))
        i += n
    source = rng.choice(_pools()["source"])
    return {
        "id": f"synthetic-{index:06d}",
        "text": "\n\n".join(paragraphs) + "\n",
        "date": (START + dt.timedelta(days=rng.randrange(365))).isoformat(),
        "source": source.names[lang][0] if source.names[lang] else source.en,
        "url": f"https://example.org/news/{index:06d}",
        "lang": lang,
    }


def generate(size: int, seed: int = 7, english: float = 0.2) -> list[dict]:
    """``size`` articles; each draws from its own generator seeded by (seed, index), so a corpus of 100 is
    the first 100 of a corpus of 1,000."""
    out = []
    for i in range(size):
        rng = random.Random(f"{seed}:{i}")
        out.append(article(rng, i, "en" if rng.random() < english else "ar"))
    return out


def write(path: Path, size: int, seed: int = 7, english: float = 0.2) -> Path:
    lines = (json.dumps(rec, ensure_ascii=False) + "\n" for rec in generate(size, seed, english))
    write_atomic(path, "".join(lines))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--english", type=float, default=0.2, help="Share of English articles (default 0.2).")
    parser.add_argument("-o", "--out", type=Path)
    args = parser.parse_args()
    out = args.out or ROOT / "out" / "bench" / f"corpus-{args.size}.jsonl"
    print(write(out, args.size, args.seed, args.english))


if __name__ == "__main__":
    main()

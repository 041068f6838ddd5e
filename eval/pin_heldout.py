"""Record the sha256 of every held-out article and gold file in eval/splits.yaml (see eval/README.md).

Run it only when a held-out file is added or deliberately changed, and commit the result with that change:
tests/test_eval.py fails while a held-out file differs from its recorded hash. It prints file names and hashes,
never the files' contents.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conflictkg.evaluate import articles_in, sha256

HERE = Path(__file__).resolve().parent


def main() -> None:
    path = HERE / "splits.yaml"
    text = path.read_text(encoding="utf-8")
    splits = yaml.safe_load(text)
    old = splits.get("heldout_sha256") or {}
    new = {p.name: sha256(p) for p in articles_in(HERE / "gold", splits["heldout"])}
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            print(f"{name}: {old.get(name, '(none)')} -> {new.get(name, '(removed)')}")
    lines = "".join(f'  "{name}": {digest}\n' for name, digest in sorted(new.items()))
    block = "heldout_sha256:" + (" {}\n" if not new else "\n" + lines)
    text = re.sub(r"heldout_sha256:.*\Z", block, text, flags=re.S)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


if __name__ == "__main__":
    main()

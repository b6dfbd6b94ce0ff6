"""Read message texts from local corpora for measuring only: nothing is written, copied or printed.

Accepts JSON Lines (a ``text``/``content``/``sms``/``message`` field), CSV/TSV (a column of that name, else the
longest column) and plain text (one message a line). Missing directories give an empty result.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

_FIELDS = ("text", "content", "sms", "message", "msg", "sentence")
_SUFFIXES = {".jsonl", ".json", ".csv", ".tsv", ".txt"}


def read_corpora(root: Path, limit: int) -> dict[str, list[str]]:
    """Up to ``limit`` texts per data file under ``root``, keyed by the file's path relative to ``root``."""
    if not root.is_dir():
        return {}
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if (
            not path.is_file()
            or path.suffix.lower() not in _SUFFIXES
            or path.name.upper().startswith(("README", "SOURCE"))
        ):
            continue
        try:
            texts = _read(path, limit)
        except (OSError, UnicodeDecodeError, csv.Error, json.JSONDecodeError):
            continue
        if texts:
            found[str(path.relative_to(root))] = texts
    return found


def _read(path: Path, limit: int) -> list[str]:
    texts: list[str] = []
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8", errors="replace", newline="") as stream:
        if suffix in (".jsonl", ".json"):
            for line in stream:
                if len(texts) >= limit:
                    break
                line = line.strip()
                if not line.startswith("{"):
                    continue
                obj = json.loads(line)
                text = next((obj[f] for f in _FIELDS if isinstance(obj.get(f), str)), None)
                if text:
                    texts.append(text)
        elif suffix in (".csv", ".tsv"):
            reader = csv.reader(stream, delimiter="\t" if suffix == ".tsv" else ",")
            header = next(reader, [])
            names = [h.strip().lower() for h in header]
            column = next((names.index(f) for f in _FIELDS if f in names), None)
            for row in reader:
                if len(texts) >= limit:
                    break
                if not row:
                    continue
                text = row[column] if column is not None and column < len(row) else max(row, key=len)
                if text.strip():
                    texts.append(text)
        else:
            for line in stream:
                if len(texts) >= limit:
                    break
                if line.strip():
                    texts.append(line.rstrip("\n"))
    return texts

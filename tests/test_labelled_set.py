"""Checks of the project's own labelled set, eval/labelled.jsonl (its shape, balance and coverage)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

SET = Path(__file__).resolve().parent.parent / "eval" / "labelled.jsonl"
CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
LABELS = {"scam", "illegal_collection", "legal_threat", "legal_notice", "collection_notice", "normal"}
ALARMS = {"scam", "illegal_collection", "legal_threat"}
ID_PREFIX = {
    "scam": "scam",
    "ilc": "illegal_collection",
    "thr": "legal_threat",
    "lgn": "legal_notice",
    "col": "collection_notice",
    "nrm": "normal",
}
FIELDS = {"id", "text", "sender", "label", "note", "evasion", "received_at"}


def load() -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(SET.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"blank line {number}"
        obj = json.loads(line)
        assert isinstance(obj, dict), f"line {number} is not an object"
        records.append(obj)
    return records


RECORDS = load()


def is_evasion(r: dict[str, Any]) -> bool:
    return r.get("evasion") is True or "variant" in r["note"]


def test_fields_and_types() -> None:
    for r in RECORDS:
        assert set(r) <= FIELDS and {"id", "text", "sender", "label", "note"} <= set(r), r["id"]
        assert all(isinstance(r[k], str) and r[k].strip() for k in ("id", "text", "sender", "label", "note")), r["id"]
        assert r["text"] == r["text"].strip(), r["id"]
        assert r.get("evasion", True) is True, r["id"]


def test_ids_unique_and_consistent_with_labels() -> None:
    ids = Counter(r["id"] for r in RECORDS)
    assert [i for i, n in ids.items() if n > 1] == []
    for r in RECORDS:
        assert re.fullmatch(r"[a-z]+-\d{3}", r["id"]), r["id"]
        assert ID_PREFIX[r["id"].split("-")[0]] == r["label"], r["id"]


def test_labels_known_and_balanced() -> None:
    counts = Counter(r["label"] for r in RECORDS)
    assert set(counts) == LABELS
    assert min(counts.values()) >= 50, counts
    assert len(RECORDS) >= 360


def test_no_duplicate_texts() -> None:
    squashed = Counter(re.sub(r"\s+", "", r["text"]) for r in RECORDS)
    assert [t[:20] for t, n in squashed.items() if n > 1] == []


def test_evasion_variants_cover_every_trick_in_every_alarm_category() -> None:
    variants = [r for r in RECORDS if is_evasion(r)]
    assert len(variants) >= 40
    assert {r["label"] for r in variants} == ALARMS  # evasion is an alarm-category phenomenon here
    assert min(Counter(r["label"] for r in variants).values()) >= 10
    texts = [r["text"] for r in variants]
    cjk = "[\u4e00-\u9fff]"
    tricks = {
        "space inside words": re.compile(f"{cjk} {cjk}"),
        "symbols inside words": re.compile(f"{cjk}[*/\\-]{cjk}"),
        "traditional characters": re.compile("[訴傳詐騙貸錄還錢銀帳賬號師書這裡轉聯繫務]"),
        "homophones and pinyin": re.compile("徽信|威信|VX|V信|fa院|ｆａ院|xin|sù|piao|guang|fang|zheng信|dai款"),
        "full-width text": re.compile("[\uff01-\uff5e]{2,}"),
        "zero-width characters": re.compile("[\u200b\u200c\u200d\u2060\ufeff]"),
    }
    for name, pattern in tricks.items():
        assert sum(bool(pattern.search(t)) for t in texts) >= 3, name


def test_zero_width_characters_are_written_as_escapes() -> None:
    raw = SET.read_text(encoding="utf-8")
    assert "\u200b" not in raw and "\\u200b" in raw


def test_legal_notices_look_like_real_court_messages() -> None:
    case_number = re.compile(r"（20\d\d）[\u4e00-\u9fff]\d{2,4}[\u4e00-\u9fff]{1,4}\d+号")
    for r in (r for r in RECORDS if r["label"] == "legal_notice"):
        assert r["sender"] in {"12368", "106900498311"}, r["id"]
        assert case_number.search(r["text"]), r["id"]
        for host in re.findall(r"https?://([^/\s]+)", r["text"]):
            assert host.endswith(".court.gov.cn"), r["id"]
        assert not re.search("转账至|汇款至|缴纳.{0,6}(保证金|费)", r["text"]), r["id"]


def test_collection_notices_are_signed_and_specific() -> None:
    amount = re.compile(r"\d[\d,]*\.\d\d元")
    for r in (r for r in RECORDS if r["label"] == "collection_notice"):
        assert r["text"].startswith("【"), r["id"]
        assert amount.search(r["text"]), r["id"]
        assert r["sender"].startswith(("95", "106")), r["id"]


def test_domains_are_official_or_invented() -> None:
    """Links point at official domains named in the domain facts, a shortener, or invented phishing hosts."""
    hosts: set[str] = set()
    for r in RECORDS:
        hosts.update(m.lower() for m in re.findall(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})", r["text"], re.I))
    official = ("court.gov.cn", "t.cn")
    for host in hosts:
        if host.endswith(official):
            continue
        # invented hosts carry a phishing-style TLD or a brand-plus-junk shape, never a bare brand domain
        assert not re.fullmatch(r"(www\.)?(icbc\.com\.cn|ccb\.com|cmbchina\.com|boc\.cn|jd\.com|alipay\.com)", host)


@pytest.mark.corpus
@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora not present")
def test_no_message_is_copied_from_the_corpora() -> None:
    import ahocorasick_rs

    stretches: dict[str, str] = {}
    for r in RECORDS:
        squashed = re.sub(r"\s+", "", r["text"])
        if len(squashed) >= 25:
            stretches.setdefault(squashed[5:25], r["id"])  # a 20-character stretch from inside the text
    automaton = ahocorasick_rs.AhoCorasick(list(stretches))
    patterns = list(stretches)
    found: set[str] = set()
    for path in CORPORA.rglob("*"):
        if path.is_file() and path.suffix in {".txt", ".csv", ".tsv", ".train", ".test"}:
            data = re.sub(r"\s+", "", path.read_text(encoding="utf-8", errors="ignore"))
            found.update(
                stretches[patterns[index]] for index, _, _ in automaton.find_matches_as_indexes(data, overlapping=True)
            )
    assert sorted(found) == []

"""The native scam-script detector (smsguard_plugins._cscripts) against its Python reference,
scripts.detect_reference: the same signals, in the same order, with the same types, for any message."""

from __future__ import annotations

from functools import partial
from typing import Any

import native_detectors as nd
import pytest
from hypothesis import given, settings
from smsguard_plugins import _cues, scripts
from smsguard_plugins._terms import LEXICON_DIR

from smsguard.lexicon import load_lexicon
from smsguard.model import Signal

C = nd.accelerator(scripts, "scripts")

DETECTOR = nd.TableDetector(scripts, C)
same = DETECTOR.same_text

# Script words meet in any order, with negators and warnings before and after them, numbers to call and the
# clause and sentence ends that bound the cues.
WORDS = [
    *nd.terms("script_terms"),
    *nd.words_of(_cues._NEGATORS, _cues._FAR_NEGATORS, _cues._FRAUD_WORDS),
    *("13912345678", "4001234567", "8001234567", "您", "均为诈骗", "，", "。", "、", "\n", " ", "x"),
    "\ud800",
    "\U0001f600",
]


def test_the_detector_is_the_c_one() -> None:
    DETECTOR.assert_in_use()


def test_the_synthetic_messages() -> None:
    fired = sum(bool(same(m.text)) for m in nd.synthetic_messages())
    assert fired > 50


@given(nd.joined(WORDS, 25) | nd.any_text())
@settings(max_examples=800, deadline=None)
def test_any_text(text: str) -> None:
    same(text)


@pytest.mark.parametrize("name", list(scripts.SCRIPTS))
def test_every_script_fires_and_is_denied(name: str) -> None:
    """Texts of every kind of the script: it fires; with its anchors warned about, it does not."""
    script = scripts.SCRIPTS[name]
    by_kind: dict[str, list[str]] = {}
    for e in load_lexicon(LEXICON_DIR, "script_terms"):
        if e.attributes:
            by_kind.setdefault(e.attributes[0], []).append(e.term)
    words = [by_kind[k][0] for k in (*sorted(script.anchors), *sorted(script.kinds - script.anchors))]
    text = "".join(words) + "，请拨打4001234567"
    assert f"scripts.{name}" in {s.name for s in same(text)}
    same("谨防" + text)
    same("，".join(words) + "均为诈骗。13912345678")
    same(text * 3 + "。请勿" + text)


def test_long_and_empty_texts() -> None:
    same("")
    same("您")
    assert same("专业征信修复，可消除逾期记录，成功后收费，详询13912345678。" * 1500)
    same("x" * 100_000)


def test_odd_calls_get_what_the_reference_gives() -> None:
    for args, kwargs in nd.odd_calls(
        *nd.triple("您的花呗可申请减免利息，需先交500元保证金。"), "您的花呗可申请减免利息"
    ):
        assert nd.outcome(partial(scripts.detect, **kwargs), *args) == nd.outcome(
            partial(scripts.detect_reference, **kwargs), *args
        )


def test_odd_reads_are_handed_to_the_reference() -> None:
    m, ntext, features = nd.triple("您的花呗可申请减免利息，需先交500元保证金。")
    t, found = scripts._TERMS.read(ntext)
    assert len(found) >= 3
    calls: list[object] = []

    def reference(*args: object) -> list[Signal]:
        calls.append(args)
        return []

    odd: list[dict[str, object]] = [
        {"read": lambda n: [t, found]},
        {"read": lambda n: (t, tuple(found))},
        {"read": lambda n: (t, [*found, ("not", "a", "hit", False)])},
        {"read": lambda n: (t, [*found[:1], tuple(found[1])])},
        {"by_kind": lambda hits: list(hits)},
    ]
    for change in odd:
        assert C.bind(reference, {**scripts.NATIVE_TABLES, **change})(m, ntext, features) == []
    assert len(calls) == len(odd)


def test_groupings_that_are_not_dicts_are_tested_by_the_scripts_own_test() -> None:
    """A second grouping (of the asserted hits) that is no dict goes to Script.holds itself."""
    m, ntext, features = nd.triple("您的花呗可申请减免利息，需先交500元保证金。")
    real = scripts.NATIVE_TABLES["by_kind"]
    groupings: list[object] = []

    def by_kind(hits: list[Any]) -> object:
        grouped = real(hits)
        groupings.append(grouped)
        return grouped if len(groupings) == 1 else dict(grouped).items().mapping  # a read-only mapping

    detect = C.bind(nd.refuse, {**scripts.NATIVE_TABLES, "by_kind": by_kind})
    assert detect(m, ntext, features) == scripts.detect_reference(m, ntext, features) != []


def test_errors_of_the_helpers_and_tests_come_through() -> None:
    cases = [nd.triple("专业征信修复，可消除逾期记录，成功后收费，详询13912345678。")]
    nd.helper_errors_come_through(
        lambda name: C.bind(nd.refuse, {**scripts.NATIVE_TABLES, name: nd.broken}),
        ("by_kind", "negated", "make_signal"),
        cases,
    )
    script = scripts.SCRIPTS["credit_repair"]
    table = tuple((n, s._replace(also=nd.broken) if s is script else s) for n, s in scripts.NATIVE_TABLES["scripts"])
    nd.helper_errors_come_through(
        lambda _: C.bind(nd.refuse, {**scripts.NATIVE_TABLES, "scripts": table}), ["also"], cases
    )


def test_bind_checks_its_tables() -> None:
    script = scripts.SCRIPTS["credit_repair"]
    bad = (script._replace(needs=[("x",)]), script._replace(also=3), script._replace(kinds=("x",)))
    nd.bind_checks_its_tables(
        C.bind, nd.refuse, scripts.NATIVE_TABLES, [({"scripts": (("scripts.x", b),)}, TypeError) for b in bad]
    )


def test_no_references_leak() -> None:
    texts = [
        "专业征信修复，可消除逾期记录，成功后收费，详询13912345678。",
        "教育部提醒：谨防注销校园贷诈骗。您的校园贷需注销。",
        "微粒贷通知：因LPR利率整改，请拨打4001234152，否则影响征信。",
    ]
    DETECTOR.assert_leaks_nothing(texts, None)

"""The native harassment detector (smsguard_plugins._charassment) against its Python reference,
harassment.detect_reference: the same signals (values, types, order) and the same exceptions for any message
text and receive time, and odd input handed to the reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import native_detectors as nd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsguard_plugins import _cues, harassment
from smsguard_plugins._terms import Entry

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

C = nd.accelerator(harassment, "harassment")

FEATURES = Features()  # unused by the harassment detector

# The C body bound as in harassment.py, and bound so that it may not hand anything to the reference.
DETECTOR = nd.KeywordDetector(harassment, C)
C_ONLY = DETECTOR.c_only

# Words at the edges of the C: every term of the harassment and context lexicons (insults, threats, people, contact
# verbs, masks, 你/您, debt words, framings), negators and clause ends; the filler adds ASCII, full-width forms,
# astral characters and lone surrogates.
WORDS = sorted(
    set(nd.terms("harassment_terms", "context"))
    | set(nd.words_of(_cues._NEGATORS, _cues._CLAUSE_DENIALS))
    | {"你", "您", "你这个", "欠款", "逾期", "快讯", " ", "\n", "。", "!", "?", ",", "，", "、", "是诈骗"}
)
word_text = nd.joined(WORDS, filler=nd.FILLER)
CHINA = timezone(timedelta(hours=8))
receive_times = st.none() | st.sampled_from(
    [
        datetime(2026, 3, 1, 23, 30),
        datetime(2026, 3, 1, 7, 59, tzinfo=CHINA),
        datetime(2026, 3, 1, 8, 0, tzinfo=CHINA),
        datetime(2026, 3, 1, 15, 0, tzinfo=UTC),  # 23:00 in China
        datetime(2026, 3, 1, 12, 0),
    ]
)


def same(message: object, ntext: object, features: object = FEATURES) -> Any:
    return DETECTOR.same(message, ntext, features)


def check_text(text: str, received_at: datetime | None = None) -> list[Signal]:
    signals: list[Signal] = same(Message(text, None, received_at), nd.NORMALIZER.normalize(text))
    return signals


def test_the_detector_is_the_c_one() -> None:
    DETECTOR.assert_in_use()
    assert type(harassment.detect) is C.Detector
    assert harassment._BINDING["reference"] is harassment.detect_reference
    message = Message("你这个老赖，欠款再不还就曝光你")
    ntext = nd.NORMALIZER.normalize(message.text)
    assert harassment.smsguard_detect(message, ntext, FEATURES) == harassment.detect_reference(message, ntext, FEATURES)


def test_the_synthetic_messages() -> None:
    names: set[str] = set()
    times = [None, datetime(2026, 3, 1, 23, 30), datetime(2026, 3, 1, 12, 0, tzinfo=CHINA)]
    for i, m in enumerate(nd.synthetic_messages()):
        names.update(s.name for s in check_text(m.text, times[i % 3]))
    assert {f"harassment.{kind}" for kind in ("threat", "exposure", "family", "night")} <= names


# Written for these tests: each takes a branch of the detector (insults aimed or not, negated, strong; people
# reached by a contact verb, a negated verb, alone; threats outside a debt message; contact verbs alone).
HAND_WRITTEN = [
    "你这个老赖，欠款再不还就曝光你，联系你家人和你单位领导。",
    "老赖，你的欠款已逾期，我们将电话轰炸你，再爆你通讯录。",
    "臭不要脸，还钱！",
    "我们不会联系你的家人，请放心还款，您的欠款已逾期。",
    "您的欠款已逾期，请转告张三尽快还款，督促其处理。",
    "【某小学】请家长提醒孩子按时到校。",
    "今日价格曝光，快来抢购！",
    "联系联系通知通知",
    "谨防骗子，您的欠款请通过官方渠道还款。",
    "您好，欠款已逾期，我们已联系你父母和同事，后果自负。",
    "",
]


def test_hand_written_messages() -> None:
    names = nd.fired(lambda text: check_text(text, datetime(2026, 3, 1, 23, 0)), HAND_WRITTEN)
    assert {f"harassment.{kind}" for kind in ("insult", "bombing", "contacts", "third_party", "employer")} <= names


@given(word_text | nd.any_text(), receive_times)
@settings(max_examples=700, deadline=None)
def test_any_text(text: str, received_at: datetime | None) -> None:
    check_text(text, received_at)


# binding name -> the module's name of each helper the body calls
HELPERS = {
    "is_night": "is_night",
    "aimed": "_aimed",
    "hit_index": "HitIndex",
    "cue_before": "cue_before",
    "negated": "negated",
    "context_of": "context_of",
    "reader_directed": "reader_directed",
    "resolve_overlaps": "resolve_overlaps",
    "by_kind": "by_kind",
    "make_signal": "make_signal",
    "span_signal": "span_signal",
}


def test_the_helpers_are_called_as_the_reference_calls_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same calls in the same order: no helper is asked where the reference does not ask it (the context of a
    message with only contact verbs, the reader test of one with no term)."""
    night = datetime(2026, 3, 1, 23, 0)
    texts = [*HAND_WRITTEN, "请联系我们", "您好，欠款已逾期，请联系", "快讯：今日天气晴"]
    nd.helpers_called_as_the_reference_calls_them(
        monkeypatch,
        harassment,
        lambda recorders: DETECTOR.bind(**recorders, reference=nd.refuse),
        HELPERS,
        [(Message(t, None, r), nd.NORMALIZER.normalize(t), FEATURES) for t in texts for r in (None, night)],
        lambda name, args, kwargs: name,
        # the reference hands HitIndex a generator, which it consumes first
        lambda name, args: (list(args[0]),) if name == "hit_index" else args,
    )


@given(word_text, receive_times)
@settings(max_examples=300, deadline=None)
def test_offset_maps(text: str, received_at: datetime | None) -> None:
    """An offset map of about the text's length, sometimes too short: the same signals, or the same IndexError."""
    ntext = nd.NORMALIZER.normalize(text)
    short = (0,) * max(0, len(ntext.text) - 2)
    same(Message(text, None, received_at), NormalizedText(text, ntext.text, short, short))


def test_empty_and_long_texts() -> None:
    assert check_text("") == []
    assert check_text(nd.long_text(), datetime(2026, 3, 1, 23, 0))
    assert check_text("你这个老赖，欠款不还就联系你家人。" * 6_000)


def test_odd_input() -> None:
    """Odd messages, texts and receive times: the exceptions of the reference; an odd term read or call: the
    reference itself."""
    text = "你这个老赖，欠款再不还就曝光你。"
    ntext = nd.NORMALIZER.normalize(text)
    for message in (None, "message", Message(text, None, "23:00"), Message(text, None, 5)):  # type: ignore[arg-type]
        same(message, ntext)
    for odd_text in (None, "text", NormalizedText(text, None)):  # type: ignore[arg-type]
        same(Message(text), odd_text)
    message = Message(text)
    for args, kwargs in (
        ((message, ntext), {}),
        ((message, ntext, FEATURES, 1), {}),
        ((message, ntext), {"features": 1}),
    ):
        with pytest.raises(nd.HandedToPython):
            C_ONLY(*args, **kwargs)
    for args, kwargs in [
        ((message, ntext, FEATURES, 1), {}),
        ((message, ntext), {"features": 1}),
        *nd.odd_calls(message, ntext, FEATURES, text),
    ]:
        assert nd.outcome(harassment.detect, *args, **kwargs) == nd.outcome(
            harassment.detect_reference, *args, **kwargs
        )
    entry = Entry("老赖", "harassment_terms", "insult", (), "")
    for read in nd.odd_reads(entry, term=None):
        bound = DETECTOR.bind(reference=nd.refuse, read=lambda _, r=read: r)
        with pytest.raises(nd.HandedToPython):
            bound(message, ntext, FEATURES)


def test_bind_checks_its_objects() -> None:
    nd.bind_checks_its_arguments(
        C.bind,
        harassment._BINDING,
        [
            *(({"term_hit": str}, TypeError), ({"contact_only": ["contact"]}, TypeError)),
            *(({"people": ["family"]}, TypeError), ({"debt_only": (1,)}, TypeError)),
            ({"people": ("family",) * 65}, TypeError),
        ],
    )
    with pytest.raises(TypeError):
        C.Detector()  # type: ignore[call-arg]


def test_no_references_leak() -> None:
    night = datetime(2026, 3, 1, 23, 0)
    cases = [(Message(text, None, night), nd.NORMALIZER.normalize(text)) for text in HAND_WRITTEN]
    odd = Message(HAND_WRITTEN[0], None, "23:00")  # type: ignore[arg-type]
    calls: list[nd.LeakCall] = [(harassment.detect, (*case, FEATURES), None) for case in cases]
    calls.append((harassment.detect, cases[0], TypeError))  # handed to the reference
    calls.append((harassment.detect, (odd, cases[0][1], FEATURES), AttributeError))  # is_night raises
    nd.assert_calls_leak_nothing(calls, 300)

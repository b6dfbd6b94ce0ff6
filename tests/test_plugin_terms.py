"""The shared machinery of the term detectors (plugins/_terms.py) and the lexicon files they read."""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest
from plugin_helpers import random_texts
from smsguard_plugins._brands import _NAME_TERMS
from smsguard_plugins._cues import CONTEXT_TERMS, negated, number_value, reader_directed
from smsguard_plugins._evidence import by_kind, make_signal, occurrences, phrases, resolve_overlaps
from smsguard_plugins._terms import LEXICON_DIR, TermSet, lexicon_path_setting, scan_text

from smsguard import Engine
from smsguard.extract import extract
from smsguard.lexicon import ENV_PATH, parse_lexicon
from smsguard.model import Message
from smsguard.normalize import default_normalizer

# The kinds each lexicon may use; a typo in a kind would silently disable an entry.
KINDS: dict[str, set[str]] = {
    "context": {"address", "request", "debt", "framing", "demand", "ignore"},
    "legal_terms": {
        "lawsuit",
        "filing",
        "summons",
        "lawyer_letter",
        "enforcement",
        "blacklist",
        "criminal",
        "visit",
        "mediation",
        "credit_record",
        "court_channel",
        "ignore",
    },
    "collectors": {
        "known_company",
        "company_shape",
        "law_firm",
        "legal_department",
        "mediation_body",
        "collection_department",
        "signature_shape",
        "ignore",
    },
    "lenders": {"lender", "ignore"},
    "payment_terms": {
        "transfer",
        "demand",
        "safe_account",
        "designated_account",
        "private_account",
        "payee",
        "qr",
        "money",
        "fee",
        "payout",
        "ignore",
    },
    "credential_terms": {
        "code",
        "password",
        "card",
        "id",
        "ask",
        "disclose",
        "screen",
        "download",
        "app",
        "face",
        "ignore",
    },
    "harassment_terms": {
        "insult",
        "threat",
        "exposure",
        "bombing",
        "third_party",
        "family",
        "employer",
        "contacts",
        "contact",
        "ignore",
    },
    "urgency_terms": {"urgent", "final", "ignore"},
    "specificity_terms": {"official_channel"},
    "script_terms": {
        "repair_action",
        "offer",
        "credit_object",
        "student",
        "cancel",
        "jd",
        "regulator_claim",
        "credit_impact",
        "freeze",
        "unfreeze_fee",
        "wrong_info",
        "fee",
        "loan",
        "webank",
        "rate_reform",
        "call",
        "ant",
        "reduction",
        "ignore",
    },
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_lexicon_entries_have_a_source_and_a_known_kind(name: str) -> None:
    entries = parse_lexicon((LEXICON_DIR / f"{name}.txt").read_text(encoding="utf-8"))
    assert entries
    assert all(e.source for e in entries), [e.term for e in entries if not e.source]
    kinds = {e.attributes[0] for e in entries if e.attributes}
    assert kinds <= KINDS[name], kinds - KINDS[name]


def test_every_lexicon_file_is_covered_here() -> None:
    assert {p.stem for p in LEXICON_DIR.glob("*.txt")} >= set(KINDS)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_lexicon_terms_are_already_normal(name: str) -> None:
    """A term the normalizer rewrites would never match as written; keep lexicons in normalized form."""
    normalizer = default_normalizer()
    entries = parse_lexicon((LEXICON_DIR / f"{name}.txt").read_text(encoding="utf-8"))
    assert [e.term for e in entries if normalizer.normalize_pattern(e.term) != e.term] == []


def _set(
    tmp_path: Path,
    body: str,
    *,
    fuzzy: tuple[str, ...] = (),
    default_kinds: dict[str, str] | None = None,
) -> TermSet:
    """A TermSet over a throwaway lexicon named ``probe`` in its own directory."""
    (tmp_path / "probe.txt").write_text("# source: test\n" + body, encoding="utf-8")
    return TermSet("probe", default_kinds=default_kinds, fuzzy=fuzzy, directory=tmp_path)


def test_masks_hide_the_terms_inside_them(tmp_path: Path) -> None:
    terms = _set(tmp_path, "上门\tvisit\n送货上门\tignore\n")
    assert [h.term for h in terms.find("送货上门，请签收")] == []
    assert [h.term for h in terms.find("明天上门核实")] == ["上门"]


def test_ascii_terms_match_on_word_boundaries_only(tmp_path: Path) -> None:
    terms = _set(tmp_path, "12368\tcourt\napp\tapp\n")
    assert [h.term for h in terms.find("请拨打12368查询")] == ["12368"]
    assert terms.find("请拨打13912368000") == []
    assert terms.find("happy") == []
    assert [h.term for h in terms.find("下载app")] == ["app"]


def test_fuzzy_lexicons_see_through_wedged_characters(tmp_path: Path) -> None:
    fuzzy = _set(tmp_path, "永雄资产\tknown\n", fuzzy=("probe",))
    (hit,) = fuzzy.find("永x雄资产提醒您")
    assert (hit.start, hit.end, hit.fuzzy) == (0, 5, True)
    (exact,) = fuzzy.find("永雄资产提醒您")
    assert not exact.fuzzy
    assert TermSet("probe", directory=tmp_path).find("永x雄资产提醒您") == []


def test_default_kind_applies_to_entries_without_one(tmp_path: Path) -> None:
    terms = _set(tmp_path, "鼎盛资产\n", default_kinds={"probe": "known_company"})
    assert [h.kind for h in terms.find("鼎盛资产")] == ["known_company"]


def test_overlaps_between_kinds_go_to_the_longer_term(tmp_path: Path) -> None:
    terms = _set(tmp_path, "诉讼\tlawsuit\n提起诉讼\tlawsuit\n诉讼服务\tchannel\n")
    assert [h.term for h in resolve_overlaps(terms.find("将提起诉讼"))] == ["提起诉讼", "诉讼"]
    assert [h.term for h in resolve_overlaps(terms.find("诉讼服务中心"))] == ["诉讼服务"]
    assert occurrences(terms.find("将提起诉讼，再提起诉讼")) == 2
    assert phrases("将提起诉讼", terms.find("将提起诉讼")) == ["提起诉讼"]


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("请勿泄露验证码", "验证码", True),
        ("公检法没有所谓的安全账户", "安全账户", True),
        ("任何人索取验证码均为诈骗", "验证码", True),
        ("谨防注销校园贷诈骗", "校园贷", True),
        ("请把验证码告诉我", "验证码", False),
        ("如果没有还款，将转入安全账户", "安全账户", False),  # the negator sits in an earlier clause
        ("请提供验证码，否则以诈骗罪论处", "验证码", False),  # a crime named later is no verdict of fraud
    ],
)
def test_negation(text: str, term: str, expected: bool) -> None:
    start = text.index(term)
    assert negated(text, start, start + len(term)) is expected


def test_reader_directed() -> None:
    terms = TermSet("context")
    grouped = by_kind(terms.find("您好，诚邀您参加讲座"))
    assert not reader_directed(grouped)
    assert reader_directed(by_kind(terms.find("您好，请按时参加会议")))
    assert reader_directed(by_kind(terms.find("讲座费用已逾期")))
    assert not reader_directed(by_kind(terms.find("法院今日开庭")))


def test_signal_spans_point_into_the_original_text() -> None:
    original = "我们将对你提 起 诉 讼"
    ntext = default_normalizer().normalize(original)
    start = ntext.text.index("起诉")
    hits = TermSet("legal_terms").find(ntext.text)
    signal = make_signal("legal.lawsuit", ntext, [h for h in hits if h.start == start - 1])
    assert [original[a:b] for a, b in signal.spans] == ["提 起 诉 讼"]


@pytest.mark.parametrize(
    ("text", "value"), [("45", 45), ("三", 3), ("十", 10), ("十二", 12), ("二十四", 24), ("一百二十", 120), ("两", 2)]
)
def test_number_value(text: str, value: int) -> None:
    assert number_value(text) == value


DETECTORS = ("legal", "collector", "payment", "credential", "harassment", "urgency", "specificity", "scripts")


def test_detectors_are_registered_and_their_signals_reach_the_verdict(engine: Engine) -> None:
    assert set(DETECTORS) <= set(engine.host.plugin_names())
    text = "【永雄资产】你这个老赖，欠款3560元已逾期45天，今天不转账到以下账户就起诉你，后果自负！"
    verdict = engine.check(text)
    assert not verdict.errors
    by_name = {s.name: s for s in verdict.signals}
    expected = {
        "collector.known_company": "永雄资产",
        "harassment.insult": "老赖",
        "specificity.days_overdue": "逾期45天",
        "payment.transfer_demand": "转账",
        "legal.lawsuit": "起诉",
        "harassment.threat": "后果自负",
    }
    for name, chars in expected.items():
        assert name in by_name, name
        assert any(chars in text[a:b] for a, b in by_name[name].spans), name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "【】",
        "\x00\x01\u200b",
        "😀" * 50,
        "a" * 500,
        "起诉" * 5000,
        ("请转账到安全账户，" * 12000)[:100_000],
    ],
)
def test_detectors_take_any_text(text: str) -> None:
    ntext = default_normalizer().normalize(text)
    features = extract(ntext)
    message = Message(text)
    for name in DETECTORS:
        module = importlib.import_module(f"smsguard_plugins.{name}")
        for signal in module.smsguard_detect(message=message, text=ntext, features=features):
            assert all(0 <= a <= b <= len(text) for a, b in signal.spans)


ALL_DETECTORS = (*DETECTORS, "link", "sender")


def test_signals_carry_the_name_their_plugin_is_registered_under(engine: Engine) -> None:
    """The host copies any signal that does not carry its plugin's name: the built-in detectors set it."""
    texts = [
        "【永雄资产】你这个老赖，欠款3560元已逾期45天，今天不转账到以下账户就起诉你，详见 t.cn/abc，后果自负！",
        "最后通知：请把收到的验证码告诉客服，24小时内办理。",
        "同学你好，你在校期间开通的校园贷账户未注销，将影响征信，请联系客服办理注销。",
    ]
    seen = set()
    for text in texts:
        ntext = default_normalizer().normalize(text)
        features = extract(ntext)
        message = Message(text, "17012345678")
        for name in ALL_DETECTORS:
            module = importlib.import_module(f"smsguard_plugins.{name}")
            for signal in module.smsguard_detect(message=message, text=ntext, features=features):
                assert signal.plugin == name, signal
                seen.add(name)
        assert all(signal.plugin == signal.name.split(".")[0] for signal in engine.check(text).signals)
    assert seen == set(ALL_DETECTORS)


def test_a_lexicon_path_change_reaches_a_text_judged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """Normalization may hand back the very string object of the last message: the change still counts."""
    text = "青松智达提醒您尽快处理欠款"
    assert default_normalizer().normalize(text).text is text
    message = Message(text, "95999")
    before = {s.name: s.value for s in engine.judge(message).verdict.signals}
    assert "collector.known_company" not in before
    assert before["sender.hotline"] == "unknown"
    (tmp_path / "collectors.txt").write_text("# source: test\n青松智达\n", encoding="utf-8")
    (tmp_path / "hotlines.txt").write_text("# source: test\n95999\tcmb\t招商银行\n", encoding="utf-8")
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    after = {s.name: s.value for s in engine.judge(message).verdict.signals}
    assert after["collector.known_company"] == "青松智达"
    assert after["sender.hotline"] == "招商银行"


@pytest.mark.parametrize("seed", range(20))
def test_wedges_are_looked_for_only_inside_pairs_of_a_fuzzy_term(tmp_path: Path, seed: int) -> None:
    """The narrowed wedge pattern finds exactly the wedges of the broad one whose neighbours form a pair."""
    from smsguard_plugins._terms import _WEDGE_CHAR, _wedge_pattern

    broad = re.compile(rf"(?<=[\u4e00-\u9fff]){_WEDGE_CHAR}{{1,2}}(?=[\u4e00-\u9fff])")
    pairs = frozenset({"永雄", "雄资", "资产", "信和", "3a", "和信"})
    narrow = _wedge_pattern(pairs)
    for text in random_texts(seed, "永雄资产信和用管理x3a*-,，。 \n", count=200, longest=24):
        expected = [m.span() for m in broad.finditer(text) if text[m.start() - 1] + text[m.end()] in pairs]
        assert [m.span() for m in narrow.finditer(text) if text[m.start() - 1] + text[m.end()] in pairs] == expected


def test_the_lexicon_path_is_read_as_os_environ_holds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_PATH, raising=False)
    assert lexicon_path_setting() == ""
    monkeypatch.setenv(ENV_PATH, "/some/where")
    assert lexicon_path_setting() == "/some/where"
    monkeypatch.setenv(ENV_PATH, "/else/where")
    assert lexicon_path_setting() == "/else/where"
    monkeypatch.delenv(ENV_PATH)
    assert lexicon_path_setting() == ""
    monkeypatch.setattr(os, "environ", {ENV_PATH: "/stand/in"})  # anything standing in for os.environ
    assert lexicon_path_setting() == "/stand/in"


@pytest.mark.parametrize(
    "text",
    [
        "送货上门，明天上门核实，请签收",  # a mask (送货上门) next to the term it holds (上门)
        "【永x雄资产】你欠款3560元已逾期，请转账到安全账户，否则起诉你，验证码123456请勿泄露。",
        "您的信用卡已修复，征信修复包过，联系微粒贷客服，京东金条利率过高。",
        "",
    ],
)
def test_a_message_reads_what_a_search_of_its_text_finds(text: str) -> None:
    """TermSet.read (made once per message, most of it as the scan ends) agrees with TermSet.find."""
    ntext = default_normalizer().normalize(text)
    term_sets = [CONTEXT_TERMS, _NAME_TERMS]
    term_sets += [importlib.import_module(f"smsguard_plugins.{name}")._TERMS for name in DETECTORS]
    for term_set in term_sets:
        t, hits = term_set.read(ntext)
        assert t == scan_text(ntext)
        assert hits == term_set.find(t)
        assert term_set.read(ntext)[1] is hits

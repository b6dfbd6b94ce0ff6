"""Tests of the regional-lender example plugin. Messages are written for these tests; the bank is fictional."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
import smsguard_regional_lender as plugin
from click.testing import CliRunner

from smsguard.cli import main
from smsguard.matching import MessageView
from smsguard.model import Message
from smsguard.testing import assert_no_signal, assert_signal, make_engine, run_pack_examples

ENGINE = make_engine(plugin)
OFFICIAL_PORT = "1069096598"
REMINDER = "【湖滨银行】您尾号1234的信用卡本期应还2,345.60元，请于5月20日前还款。"
LAWFUL_SUIT = "【湖滨银行】您的湖滨快贷已逾期60天，我行将依法向法院提起诉讼，请尽快还款。"
LOOKALIKE = "【湖滨银行】您的湖滨快贷额度即将失效，请登录 hubinbank-vip.top 激活"
CALLBACK = "湖滨快贷客服提醒：您的贷款资料需要更新，请致电17012345678办理"


def test_brand_in_the_signature_or_the_text() -> None:
    assert_signal(ENGINE, REMINDER, "regional_lender.brand", value="signature", spans=[(1, 5)])
    assert_signal(ENGINE, "湖滨银行提醒您按时还款", "regional_lender.brand", value="text", evidence=["湖滨银行"])
    assert_signal(ENGINE, "湖 滨 銀 行提醒您按时还款", "regional_lender.brand", evidence=["湖 滨 銀 行"])
    assert_no_signal(ENGINE, "【招商银行】您本期账单已出", "regional_lender.brand")


def test_official_sender_and_links() -> None:
    assert_signal(ENGINE, REMINDER, "regional_lender.official_sender", sender="1069-0965-98")
    assert_no_signal(ENGINE, REMINDER, "regional_lender.official_sender", sender="17012345678")
    official = "【湖滨银行】账单详情请见 https://m.hubinbank.example/bill"
    assert_signal(ENGINE, official, "regional_lender.official_link", evidence=["https://m.hubinbank.example/bill"])
    assert_no_signal(ENGINE, official, "regional_lender.lookalike_link")
    assert_signal(ENGINE, LOOKALIKE, "regional_lender.lookalike_link", value="hubinbank-vip.top")
    assert_signal(ENGINE, "请访问 hu-bin95.cc 办理", "regional_lender.lookalike_link", value="hu-bin95.cc")


def test_the_rule_pack_examples_hold_on_top_of_the_default_pack() -> None:
    failures = run_pack_examples(ENGINE, packs={"regional_lender"})
    assert not failures, "\n".join(map(str, failures))
    assert [p.name for p in ENGINE.pack.packs][:1] == ["default"]
    assert ENGINE.pack.packs[-1].name == "regional_lender"


def test_impersonation_is_judged_a_scam_and_credited_to_this_pack() -> None:
    for text in (LOOKALIKE, CALLBACK):
        verdict = ENGINE.check(text, sender="17198765432")
        assert verdict.category == "scam"
        assert any(hit.pack == "regional_lender" for hit in verdict.hits)


def test_lender_numbers_function() -> None:
    judgement = ENGINE.judge(Message("湖滨银行客服96598，或拨打17012345678"))
    view = MessageView(judgement.message, judgement.text, judgement.features, {})
    assert (plugin.lender_numbers(view, "official"), plugin.lender_numbers(view, "other")) == (1, 1)
    with pytest.raises(ValueError, match="'official' or 'other'"):
        plugin.lender_numbers(view, "others")


def test_a_function_failing_at_runtime_is_recorded_and_the_message_still_judged(tmp_path: Path) -> None:
    pack = tmp_path / "typo.sg"
    pack.write_text('rule typo { category: scam when: lender_numbers("others") >= 1 }', encoding="utf-8")
    engine = make_engine(plugin, packs=[pack])
    verdict = engine.check(LOOKALIKE, sender="17198765432")
    assert verdict.category == "scam"
    (error,) = [e for e in verdict.errors if e.hook == "function lender_numbers()"]
    assert error.plugin == "smsguard_regional_lender" and "'official' or 'other'" in error.error


@pytest.fixture
def allowlist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "own_senders.txt"
    path.write_text(f"# source: this test\n{OFFICIAL_PORT}\n", encoding="utf-8")
    monkeypatch.setenv(plugin.ALLOWLIST_ENV, str(path))
    return path


def test_without_an_allowlist_the_text_decides() -> None:
    assert ENGINE.check(LAWFUL_SUIT, sender=OFFICIAL_PORT).category == "legal_threat"


def test_allowlisted_sender_turns_its_lawful_reminder_into_a_collection_notice(allowlist: Path) -> None:
    verdict = ENGINE.check(LAWFUL_SUIT, sender=OFFICIAL_PORT)
    assert (verdict.category, verdict.risk) == ("collection_notice", "low")
    assert verdict.category_title == ENGINE.pack.category("collection_notice").title
    assert verdict.advice == plugin.ALLOWLIST_ADVICE
    assert {hit.rule for hit in verdict.hits} >= {"lawsuit_threat"}, "the evidence stays visible"
    assert verdict.errors == ()


def test_the_allowlist_does_not_cover_other_senders_or_scams(allowlist: Path) -> None:
    assert ENGINE.check(LAWFUL_SUIT, sender="17012345678").category == "legal_threat"
    assert ENGINE.check(LOOKALIKE, sender=OFFICIAL_PORT).category == "scam"
    unsigned = "您的欠款已逾期，我司将于三日内向法院提起诉讼"
    assert ENGINE.check(unsigned, sender=OFFICIAL_PORT).category == "legal_threat"


def test_a_missing_allowlist_file_is_a_recorded_plugin_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(plugin.ALLOWLIST_ENV, str(tmp_path / "missing.txt"))
    verdict = ENGINE.check(LAWFUL_SUIT, sender=OFFICIAL_PORT)
    assert verdict.category == "legal_threat"
    assert [(e.plugin, e.hook) for e in verdict.errors] == [("smsguard_regional_lender", "smsguard_adjust_verdict")]


def _installed() -> bool:
    return any(ep.name == "regional_lender" for ep in importlib.metadata.entry_points(group="smsguard"))


@pytest.mark.skipif(not _installed(), reason="the distribution is not installed (CI installs it)")
def test_installed_distribution_is_found_through_its_entry_point() -> None:
    result = CliRunner().invoke(main, ["plugins", "--json"], catch_exceptions=False)
    (info,) = [p for p in json.loads(result.output) if p["name"] == "regional_lender"]
    assert (info["distribution"], info["version"]) == ("smsguard-regional-lender", "0.1.0")
    assert "smsguard_adjust_verdict" in info["hooks"]
    assert [f["name"] for f in info["functions"]] == ["lender_numbers"]
    assert info["lexicons"] == ["regional_lender_products"]
    result = CliRunner().invoke(main, ["check", LOOKALIKE, "--sender", "17198765432", "--json"])
    verdict = json.loads(result.output)
    assert "hubin_lookalike_link" in {hit["rule"] for hit in verdict["hits"]}

"""The multi-pattern literal matcher shared by compiled packs and detector plugins."""

from __future__ import annotations

from smsguard.termscan import TermMatch, TermMatcher


def test_overlapping_occurrences_are_all_found_in_order() -> None:
    matcher = TermMatcher.from_keys(["起诉", "诉讼", "起诉讼"])
    assert matcher.find("将起诉讼") == [TermMatch(0, 1, 3), TermMatch(1, 2, 4), TermMatch(2, 1, 4)]
    assert matcher.find_spans("起诉起诉") == {0: [(0, 2), (2, 4)]}


def test_terms_are_normalized_like_messages_and_keep_their_ids() -> None:
    matcher = TermMatcher(["起 诉", "起诉", "ＶＸ"])
    assert matcher.normalized[0] == matcher.normalized[1] == "起诉"
    assert matcher.find_spans("要起诉你") == {0: [(1, 3)], 1: [(1, 3)]}
    assert [m.term_id for m in matcher.find("起诉")] == [0, 1]


def test_offsets_count_code_points() -> None:
    matcher = TermMatcher.from_keys(["起诉", "a"])
    assert matcher.find_spans("😀起诉a") == {0: [(1, 3)], 1: [(3, 4)]}


def test_lone_surrogates_do_not_break_the_search() -> None:
    matcher = TermMatcher.from_keys(["起诉"])
    assert matcher.find_spans("\ud800起诉") == {0: [(1, 3)]}


def test_nothing_to_find() -> None:
    assert TermMatcher.from_keys([]).find_spans("起诉") == {}
    assert TermMatcher.from_keys(["", "起诉"]).find("") == []
    assert len(TermMatcher.from_keys(["a", "b"])) == 2


def test_raw_matches_map_to_the_term_ids_find_reports() -> None:
    matcher = TermMatcher(["起诉", "起 诉", "诉讼", "提起诉讼"])
    text = "将提起诉讼，起诉"
    raw = matcher.matches(text)
    assert [end for _, _, end in raw] == sorted(end for _, _, end in raw)
    expanded = sorted((term_id, start, end) for p, start, end in raw for term_id in matcher.pattern_ids[p])
    assert expanded == sorted((m.term_id, m.start, m.end) for m in matcher.find(text))
    assert any(len(ids) == 2 for ids in matcher.pattern_ids)  # 起诉 and 起 诉 share one pattern

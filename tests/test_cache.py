"""The on-disk cache of parsed rule packs: reused while nothing changed, missed as soon as anything did."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smsguard import Engine, RulePackError
from smsguard.cache import MAX_ENTRIES, PackCache
from smsguard.engine import load_packs_cached
from smsguard.plugins import PluginHost

PACK = """
pack "cached" version "1"
category bad { title: "bad" threshold: 0.5 priority: 10 risk: high }
category normal { title: "ok" threshold: 0 priority: 0 risk: none fallback: true }
list words = file("words.txt")
rule threat { category: bad weight: 2 when: any(words) }
"""


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "pack"
    directory.mkdir()
    (directory / "main.sg").write_text(PACK, encoding="utf-8")
    (directory / "words.txt").write_text("起诉\n", encoding="utf-8")
    return directory


@pytest.fixture
def cache(tmp_path: Path) -> PackCache:
    return PackCache(tmp_path / "cache")


def build(pack_dir: Path, cache: PackCache) -> Engine:
    return Engine.from_paths(pack_dir, cache=cache, load_entrypoints=False)


def test_second_build_is_a_hit_and_judges_the_same(pack_dir: Path, cache: PackCache) -> None:
    first = build(pack_dir, cache)
    assert (cache.hits, cache.misses) == (0, 1)
    assert list(cache.directory.glob("pack-*.pickle"))
    second = build(pack_dir, cache)
    assert (cache.hits, cache.misses) == (1, 1)
    text = "我们将对你提起诉讼"
    assert first.check(text).to_dict() == second.check(text).to_dict()
    assert second.check(text).category == "bad"


def test_changing_a_rule_file_is_a_miss(pack_dir: Path, cache: PackCache) -> None:
    build(pack_dir, cache)
    main = pack_dir / "main.sg"
    main.write_text(main.read_text(encoding="utf-8").replace("weight: 2", "weight: 0.1"), encoding="utf-8")
    engine = build(pack_dir, cache)
    assert cache.hits == 0
    assert engine.pack.rule("threat").weight == pytest.approx(0.1)


def test_changing_a_lexicon_file_is_a_miss(pack_dir: Path, cache: PackCache) -> None:
    build(pack_dir, cache)
    (pack_dir / "words.txt").write_text("起诉\n律师函\n", encoding="utf-8")
    engine = build(pack_dir, cache)
    assert cache.hits == 0
    assert engine.check("已发律师函").category == "bad"


def test_a_new_file_in_the_pack_directory_is_a_miss(pack_dir: Path, cache: PackCache) -> None:
    build(pack_dir, cache)
    (pack_dir / "more.sg").write_text('rule visit { category: bad weight: 2 when: "上门" }\n', encoding="utf-8")
    engine = build(pack_dir, cache)
    assert cache.hits == 0
    assert engine.check("明天上门").category == "bad"


def test_another_plugin_set_uses_another_entry(pack_dir: Path, cache: PackCache) -> None:
    sources = [pack_dir]
    host = PluginHost.from_entry_points(load_entrypoints=False)
    load_packs_cached(sources, host, cache)
    assert cache.key(sources, {"plugins": "a"}) != cache.key(sources, {"plugins": "a,b"})
    load_packs_cached(sources, host, cache)
    assert cache.hits == 1


def test_a_corrupt_entry_is_a_miss_not_an_error(pack_dir: Path, cache: PackCache) -> None:
    build(pack_dir, cache)
    for entry in cache.directory.glob("pack-*.pickle"):
        entry.write_bytes(b"not a pickle")
    engine = build(pack_dir, cache)
    assert cache.hits == 0 and engine.check("起诉").category == "bad"
    build(pack_dir, cache)  # the rewritten entry works again
    assert cache.hits == 1


def test_a_pack_that_does_not_parse_is_not_cached(tmp_path: Path, cache: PackCache) -> None:
    bad = tmp_path / "bad.sg"
    bad.write_text("rule x {", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RulePackError):
            Engine.from_paths(bad, cache=cache, load_entrypoints=False)
    assert cache.hits == 0 and not list(cache.directory.glob("pack-*.pickle"))


def test_compile_errors_are_reported_from_a_cached_pack_too(tmp_path: Path, cache: PackCache) -> None:
    bad = tmp_path / "bad.sg"
    bad.write_text("rule x { category: nosuch when: any(missing) }\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RulePackError, match="unknown category 'nosuch'"):
            Engine.from_paths(bad, cache=cache, load_entrypoints=False)
    assert cache.hits == 1


def test_an_unwritable_cache_directory_is_skipped(pack_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache = PackCache(blocker / "cache")  # cannot be created: its parent is a file
    assert build(pack_dir, cache).check("起诉").category == "bad"


def test_cache_true_follows_the_environment(pack_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "env-cache"
    monkeypatch.setenv("SMSGUARD_CACHE_DIR", str(directory))
    monkeypatch.setenv("SMSGUARD_CACHE", "0")
    Engine.from_paths(pack_dir, cache=True, load_entrypoints=False)
    assert not directory.exists()
    monkeypatch.setenv("SMSGUARD_CACHE", "1")
    Engine.from_paths(pack_dir, cache=True, load_entrypoints=False)
    assert list(directory.glob("pack-*.pickle"))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
def test_an_entry_or_directory_others_may_write_to_is_never_read(pack_dir: Path, cache: PackCache) -> None:
    build(pack_dir, cache)
    (entry,) = cache.directory.glob("pack-*.pickle")
    entry.chmod(0o664)
    build(pack_dir, cache)
    assert cache.hits == 0, "a group-writable entry could hold anyone's pickle"
    entry.chmod(0o600)
    cache.directory.chmod(0o777)
    build(pack_dir, cache)
    assert cache.hits == 0, "nor is anything read from, or written to, a directory others may write to"
    assert [entry] == list(cache.directory.glob("pack-*.pickle"))
    cache.directory.chmod(0o700)
    build(pack_dir, cache)
    assert cache.hits == 1


def test_only_the_most_recently_used_entries_are_kept(pack_dir: Path, cache: PackCache) -> None:
    build(pack_dir, cache)
    (entry,) = cache.directory.glob("pack-*.pickle")
    os.utime(entry, (0, 0))
    build(pack_dir, cache)
    assert cache.hits == 1 and entry.stat().st_mtime > 0, "reading an entry counts as using it"
    others = [cache.directory / f"pack-{n:032x}.pickle" for n in range(MAX_ENTRIES + 2)]
    for age, other in enumerate(others):
        other.write_bytes(b"")
        os.utime(other, (age + 1, age + 1))
    (pack_dir / "main.sg").write_text(PACK.replace("weight: 2", "weight: 3"), encoding="utf-8")
    build(pack_dir, cache)  # a miss: writing its new entry prunes
    kept = set(cache.directory.glob("pack-*.pickle"))
    assert len(kept) == MAX_ENTRIES
    assert entry in kept and set(others[-(MAX_ENTRIES - 1) :]) <= kept

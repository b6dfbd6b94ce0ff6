"""Generated literal-heavy rule packs of any size, to measure how cost grows with the number of rules.

Each rule has two term sets of literals joined with ``and``, or a ``count(...) >= 2``, or a ``near(...)``. One
literal in ten is a 2-4 character phrase that synthetic messages really contain (cut from the generator's
templates), so some rules trigger on every message and a few fire; the others are made-up 3-4 character words
over the hundred most common characters, the way most rules of a large pack wait for a phrase that a given
message does not hold.
"""

from __future__ import annotations

import random
from pathlib import Path

from synth import KINDS

COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还"
)
CATEGORIES = ["scam", "illegal_collection", "legal_threat", "legal_notice", "collection_notice"]


def domain_phrases() -> list[str]:
    """2-4 character pieces of the generator's templates: phrases synthetic messages contain."""
    phrases: set[str] = set()
    for templates in KINDS.values():
        for template in templates:
            plain = "".join(ch for ch in template if "\u4e00" <= ch <= "\u9fff" or ch in "{}")
            for piece in plain.replace("{", " ").replace("}", " ").split():
                for size in (2, 3, 4):
                    phrases.update(piece[i : i + size] for i in range(0, max(0, len(piece) - size + 1), size))
    return sorted(p for p in phrases if len(p) >= 2)


def literal_heavy_pack(rule_count: int, seed: int = 11, real_share: float = 0.1) -> str:
    """The text of a pack with ``rule_count`` rules (and the default pack's six categories)."""
    rng = random.Random(seed)
    real = domain_phrases()

    def literal() -> str:
        if rng.random() < real_share:
            return rng.choice(real)
        return "".join(rng.choice(COMMON) for _ in range(rng.randrange(3, 5)))

    def term_set(size: int) -> str:
        return "[" + ", ".join(f'"{literal()}"' for _ in range(size)) + "]"

    lines = [f'pack "generated{rule_count}" version "1"']
    for name in [*CATEGORIES, "normal"]:
        fallback = " fallback: true" if name == "normal" else ""
        lines.append(f'category {name} {{ title: "{name}" threshold: 0.6 priority: 1{fallback} }}')
    for index in range(rule_count):
        shape = rng.randrange(4)
        if shape <= 1:
            when = f"any({term_set(rng.randrange(3, 7))}) and any({term_set(rng.randrange(2, 5))})"
        elif shape == 2:
            when = f"count({term_set(rng.randrange(4, 9))}) >= 2"
        else:
            when = f"near({term_set(3)}, {term_set(3)}, within=12)"
        category = CATEGORIES[index % len(CATEGORIES)]
        weight = round(rng.uniform(0.3, 2.0), 1)
        lines.append(
            f'rule g{index} {{ title: "generated {index}" category: {category} weight: {weight} when: {when} }}'
        )
    return "\n".join(lines) + "\n"


def write_pack(directory: Path, rule_count: int, seed: int = 11) -> Path:
    path = directory / f"generated_{rule_count}.sg"
    path.write_text(literal_heavy_pack(rule_count, seed), encoding="utf-8")
    return path

"""Build the optional native accelerators (C extensions); the metadata is in pyproject.toml.

Each accelerator is optional: where no C compiler or Python headers are present, the install goes on and smsguard
runs its pure-Python path, which is the reference the accelerators are tested against. To build one accelerator in
place while working on it: ``SMSGUARD_NATIVE_ONLY=normalize python setup.py build_ext --inplace``.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import Extension, setup

# short name -> (module, C sources); smsguard.native loads them by the short name
ACCELERATORS: dict[str, tuple[str, list[str]]] = {
    "normalize": ("smsguard._cnormalize", ["smsguard/_native/normalize.c"]),
    "extract": ("smsguard._cextract", ["smsguard/_native/extract.c"]),
    "host": ("smsguard._chost", ["smsguard/_native/host.c"]),
    "engine": ("smsguard._cengine", ["smsguard/_native/engine.c", "smsguard/_native/engine_rules.c"]),
    "termscan": ("smsguard._ctermscan", ["smsguard/_native/termscan.c", "smsguard/_native/termscan_terms.c"]),
    "evidence": ("smsguard_plugins._cevidence", ["plugins/_native/evidence.c", "plugins/_native/evidence_cues.c"]),
}
# Every header is a dependency of every accelerator: a change to one rebuilds them all, which takes seconds.
_HEADERS = sorted(str(p) for d in ("smsguard/_native", "plugins/_native") for p in Path(d).glob("*.h"))

only = {name for name in os.environ.get("SMSGUARD_NATIVE_ONLY", "").split(",") if name}
setup(
    ext_modules=[
        Extension(
            module,
            sources=sources,
            depends=_HEADERS,
            include_dirs=["smsguard/_native"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=os.environ.get("SMSGUARD_REQUIRE_NATIVE") != "1",
        )
        for name, (module, sources) in ACCELERATORS.items()
        if not only or name in only
    ]
)

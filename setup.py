"""Build the optional native accelerators (C extensions); the metadata is in pyproject.toml.

Each accelerator is optional: where no C compiler or Python headers are present, the install goes on and smsguard
runs its pure-Python path, which is the reference the accelerators are tested against. To build one accelerator in
place while working on it: ``SMSGUARD_NATIVE_ONLY=normalize python setup.py build_ext --inplace``.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import Extension, setup

# short name -> (module, directory); the sources of an accelerator are <directory>/<name>.c and any
# <directory>/<name>_*.c beside it. smsguard.native loads the modules by the short name.
ACCELERATORS: dict[str, tuple[str, str]] = {
    "normalize": ("smsguard._cnormalize", "smsguard/_native"),
    "extract": ("smsguard._cextract", "smsguard/_native"),
    "host": ("smsguard._chost", "smsguard/_native"),
    "engine": ("smsguard._cengine", "smsguard/_native"),
    "termscan": ("smsguard._ctermscan", "smsguard/_native"),
    "conditions": ("smsguard._cconditions", "smsguard/_native"),
    "judge": ("smsguard._cjudge", "smsguard/_native"),
    "evidence": ("smsguard_plugins._cevidence", "plugins/_native"),
    "brands": ("smsguard_plugins._cbrands", "plugins/_native"),
    "collector": ("smsguard_plugins._ccollector", "plugins/_native"),
    "credential": ("smsguard_plugins._ccredential", "plugins/_native"),
    "harassment": ("smsguard_plugins._charassment", "plugins/_native"),
    "legal": ("smsguard_plugins._clegal", "plugins/_native"),
    "link": ("smsguard_plugins._clink", "plugins/_native"),
    "payment": ("smsguard_plugins._cpayment", "plugins/_native"),
    "scripts": ("smsguard_plugins._cscripts", "plugins/_native"),
    "sender": ("smsguard_plugins._csender", "plugins/_native"),
    "specificity": ("smsguard_plugins._cspecificity", "plugins/_native"),
    "urgency": ("smsguard_plugins._curgency", "plugins/_native"),
}


def sources(name: str, directory: str) -> list[str]:
    return [f"{directory}/{name}.c", *sorted(str(p) for p in Path(directory).glob(f"{name}_*.c"))]


# Every header is a dependency of every accelerator: a change to one rebuilds them all, which takes seconds.
_HEADERS = sorted(str(p) for d in ("smsguard/_native", "plugins/_native") for p in Path(d).glob("*.h"))

only = {name for name in os.environ.get("SMSGUARD_NATIVE_ONLY", "").split(",") if name}
setup(
    ext_modules=[
        Extension(
            module,
            sources=sources(name, directory),
            depends=_HEADERS,
            include_dirs=["smsguard/_native"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=os.environ.get("SMSGUARD_REQUIRE_NATIVE") != "1",
        )
        for name, (module, directory) in ACCELERATORS.items()
        if not only or name in only
    ]
)

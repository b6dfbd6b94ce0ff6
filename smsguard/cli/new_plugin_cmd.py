"""``smsguard new-plugin NAME``: a ready-to-test plugin project from the template in ``smsguard/templates``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

import click

from smsguard import __version__

_NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
# Template file -> where it goes in the generated project ($package and $short are filled in).
_LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "plugin.py.tmpl": "src/$package/__init__.py",
    "test_plugin.py.tmpl": "tests/test_$short.py",
}


@dataclass(frozen=True, slots=True)
class PluginNames:
    """The names of one plugin project: ``acme-bank`` gives distribution ``smsguard-acme-bank``, package
    ``smsguard_acme_bank`` and plugin (entry point and signal prefix) ``acme_bank``."""

    short: str
    distribution: str
    package: str

    @classmethod
    def from_name(cls, name: str) -> PluginNames:
        base = name.strip().lower()
        base = base.removeprefix("smsguard-").removeprefix("smsguard_")
        if not _NAME.fullmatch(base):
            raise ValueError(
                f"{name!r} is not a usable plugin name: use lower-case letters, digits and '-', starting with a letter"
            )
        short = base.replace("-", "_")
        return cls(short, f"smsguard-{short.replace('_', '-')}", f"smsguard_{short}")


def render_project(names: PluginNames, target: Path) -> list[Path]:
    """Write the project into ``target`` (which must not hold files yet); return the files written.

    Raises :class:`FileExistsError` when ``target`` is a file or a directory that is not empty.
    """
    if target.is_dir():
        if any(target.iterdir()):
            raise FileExistsError(f"{target} already exists and is not empty")
    elif target.exists() or target.is_symlink():
        raise FileExistsError(f"{target} already exists and is not a directory")
    values = {
        "short": names.short,
        "distribution": names.distribution,
        "package": names.package,
        "smsguard_version": __version__,
    }
    templates = resources.files("smsguard.templates").joinpath("plugin")
    written: list[Path] = []
    for template_name, relative in _LAYOUT.items():
        text = Template(templates.joinpath(template_name).read_text(encoding="utf-8")).substitute(values)
        path = target / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    marker = target / "src" / names.package / "py.typed"
    marker.write_text("", encoding="utf-8")
    written.append(marker)
    return written


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the project directory.",
)
def new_plugin(name: str, directory: Path) -> None:
    """Create a plugin project NAME (pyproject with entry point, detector, tests, README)."""
    try:
        names = PluginNames.from_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    target = directory / names.distribution
    try:
        written = render_project(names, target)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot create {exc.filename or target}: {exc.strerror}") from None
    click.echo(f"Created {target}")
    for path in written:
        click.echo(f"  {path.relative_to(target)}")
    click.echo(
        f"\nNext: cd {target} && pip install -e '.[test]' && pytest -q\n"
        f'Then `smsguard plugins` lists {names.short}, and rules can use signal("{names.short}.brand").'
    )

"""Where the project's own assets are, for a checkout and an installed package alike.

tei/ and styles/ sit at the top of the repository (DESIGN §2) and ship inside the wheel as
`edition.schema_assets` and `edition.style_assets`; importlib.resources finds both.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from .errors import SchemaError


def schema_asset(name: str) -> Traversable:
    """A file of tei/ (our customisation, Schematron, the vendored tei_all.rng)."""
    return _asset("edition.schema_assets", name)


def style_asset(name: str) -> Traversable:
    """A file of styles/ (screen and print CSS)."""
    return _asset("edition.style_assets", name)


def template_dir() -> Traversable:
    return resources.files("edition.render") / "templates"


def _asset(package: str, name: str) -> Traversable:
    path = resources.files(package) / name
    if not path.is_file():
        raise SchemaError(
            f"the packaged asset {name!r} is missing from {package}",
            hint="reinstall the project (make edition) or run from a complete checkout",
        )
    return path

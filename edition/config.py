"""edition.toml: optional metadata, sigla and overrides.

Without a file everything is inferred from the sources' content. The file is read once,
checked strictly (unknown keys are errors, so a typo never passes silently), and turned
into a frozen `Config`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ConfigError

CONFIG_NAME = "edition.toml"

_TOP_KEYS = {"edition", "witness", "ingest", "detect", "collate"}
_EDITION_KEYS = {"title", "editor", "sources", "output", "language", "base_witness"}
_WITNESS_KEYS = {"siglum", "title", "author", "date", "language", "format"}
_FORMATS = ("text", "html", "pdf", "tei", "markdown")


@dataclass(frozen=True)
class WitnessOverride:
    siglum: str = ""
    title: str = ""
    author: str = ""
    date: str = ""
    language: str = ""
    format: str = ""


@dataclass(frozen=True)
class Config:
    title: str = "A digital critical edition"
    editor: str = ""
    sources: Path = Path("sources")
    output: Path = Path("output")
    language: str = "en"
    base_witness: str = ""
    witnesses: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    stage_options: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None

    def override_for(self, source_name: str) -> WitnessOverride:
        return self.witnesses.get(source_name, WitnessOverride())

    def options(self, stage: str) -> dict[str, Any]:
        return dict(self.stage_options.get(stage, {}))


def load_config(path: Path | None = None, *, root: Path | None = None) -> Config:
    """Read `path` (or `root/edition.toml` if it exists); a missing default file is fine."""
    explicit = path is not None
    if path is None:
        path = (root or Path.cwd()) / CONFIG_NAME
    if not path.exists():
        if explicit:
            raise ConfigError("the configuration file does not exist", path=path)
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError("the configuration is not UTF-8 text", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"malformed TOML: {exc}", path=path,
                          hint="see edition.toml.example for the format") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration: {exc.strerror}", path=path) from exc
    return _build(data, path)


def _check_keys(table: dict[str, Any], allowed: set[str], where: str, path: Path) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown key(s) in {where}: {', '.join(unknown)}",
            path=path,
            hint=f"allowed: {', '.join(sorted(allowed))}",
        )


def _build(data: dict[str, Any], path: Path) -> Config:
    _check_keys(data, _TOP_KEYS, "the top level", path)
    edition = data.get("edition", {})
    if not isinstance(edition, dict):
        raise ConfigError("[edition] must be a table", path=path)
    _check_keys(edition, _EDITION_KEYS, "[edition]", path)
    for key, value in edition.items():
        if not isinstance(value, str):
            raise ConfigError(f"[edition] {key} must be a string", path=path)
    witnesses: dict[str, WitnessOverride] = {}
    sigla: set[str] = set()
    witness_tables = data.get("witness") or {}
    if not isinstance(witness_tables, dict):
        raise ConfigError('[witness] must be tables: [witness."file name"]', path=path)
    for name, table in witness_tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f'[witness."{name}"] must be a table', path=path)
        _check_keys(table, _WITNESS_KEYS, f'[witness."{name}"]', path)
        siglum = str(table.get("siglum", ""))
        if siglum and (not siglum.replace("-", "").isalnum() or siglum in sigla):
            raise ConfigError(f"siglum {siglum!r} is not a unique alphanumeric name", path=path)
        sigla.add(siglum)
        if table.get("format") and table["format"] not in _FORMATS:
            raise ConfigError(f'[witness."{name}"] format {table["format"]!r} is not known',
                              path=path, hint=f"use one of: {', '.join(_FORMATS)}")
        witnesses[name] = WitnessOverride(**{k: str(v) for k, v in table.items()})
    stages = {k: v for k, v in data.items() if k in {"ingest", "detect", "collate"}}
    for stage, table in stages.items():
        if not isinstance(table, dict):
            raise ConfigError(f"[{stage}] must be a table", path=path)
    base = path.parent
    return Config(
        title=edition.get("title", Config.title),
        editor=edition.get("editor", ""),
        sources=base / edition.get("sources", "sources"),
        output=base / edition.get("output", "output"),
        language=edition.get("language", "en"),
        base_witness=edition.get("base_witness", ""),
        witnesses=MappingProxyType(witnesses),
        stage_options=MappingProxyType(stages),
        path=path,
    )

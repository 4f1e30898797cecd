"""The dependencies a notebook asks for in its metadata, how they differ from an
environment's, and their digest (what a trust signature covers).

nbdesk reads `metadata.nbdesk.uv.dependencies` (a list of PEP 508 requirement strings);
`metadata.runt.uv.dependencies` and a top-level `metadata.uv.dependencies` (how runt
writes them) are read too, so notebooks from there keep working. Conda packages and
channels (`metadata.nbdesk.conda`, `metadata.runt.conda`) are read for the digest only:
changing them asks for approval again. The signature sits in `metadata.nbdesk.trust`.
Pure functions: the document is passed in as its raw metadata strings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nbdesk.daemon.doc.requirements import check_requirement
from nbdesk.daemon.wire.errors import EnvError, ErrorCode

KEYS = ("nbdesk", "runt", "uv")
CONDA_KEYS = ("nbdesk", "runt")
MAX_DEPENDENCIES = 200
GetMetadata = Callable[[str], str | None]


@dataclass(frozen=True)
class DeclaredDependencies:
    """What a notebook's metadata asks to install, each list as written (trimmed, first
    occurrence kept)."""

    uv: tuple[str, ...] = ()
    conda: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    @property
    def listed(self) -> list[str]:
        """Every package, for people: the uv ones, then the conda ones."""
        return [*self.uv, *(d for d in self.conda if d not in self.uv)]

    @property
    def digest(self) -> str:
        """sha256 of the normalised lists: the order packages are written in and their
        spacing do not count, channel order does (conda searches them in order)."""
        body = {
            "uv": sorted(self.uv),
            "conda": {"dependencies": sorted(self.conda), "channels": list(self.channels)},
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _parsed(get_metadata: GetMetadata, key: str) -> Any:
    raw = get_metadata(key)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None  # unreadable metadata is skipped: it cannot ask for anything


def _section(value: Any, key: str, name: str) -> Any:
    if key == name:
        return value
    return value.get(name) if isinstance(value, dict) else None


def declared_dependencies(get_metadata: GetMetadata) -> DeclaredDependencies:
    """The notebook's dependencies. Raises EnvError (`bad_dependency`) for a list nbdesk
    will not install from: not a list of strings, too long, or an entry that is an
    option, a URL or a path."""
    uv: tuple[str, ...] = ()
    for key in KEYS:
        section = _section(_parsed(get_metadata, key), key, "uv")
        if isinstance(section, dict) and "dependencies" in section:
            uv = _requirements(section["dependencies"], f"metadata {key}.uv")
            break
    for key in CONDA_KEYS:
        section = _section(_parsed(get_metadata, key), key, "conda")
        if isinstance(section, dict) and ("dependencies" in section or "channels" in section):
            where = f"metadata {key}.conda"
            conda = _strings(section.get("dependencies", []), f"{where}.dependencies")
            channels = _strings(section.get("channels", []), f"{where}.channels")
            return DeclaredDependencies(uv, conda, channels)
    return DeclaredDependencies(uv)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise EnvError(
            f"{where} must be a list of strings: fix it in the notebook's metadata, or "
            "replace the list in Dependencies (Kernel menu)",
            code=ErrorCode.BAD_DEPENDENCY,
        )
    cleaned = tuple(dict.fromkeys(item.strip() for item in value if item.strip()))
    if len(cleaned) > MAX_DEPENDENCIES:
        raise EnvError(
            f"{where}: more than {MAX_DEPENDENCIES} entries", code=ErrorCode.BAD_DEPENDENCY
        )
    return cleaned


def _requirements(value: Any, where: str) -> tuple[str, ...]:
    return tuple(check_requirement(item, where) for item in _strings(value, where))


def notebook_dependencies(get_metadata: GetMetadata) -> tuple[str, ...]:
    """The notebook's uv dependencies, normalised (stripped, deduplicated, sorted): what
    its environment is built from. Raises EnvError as `declared_dependencies` does."""
    return tuple(sorted(declared_dependencies(get_metadata).uv))


def written_signature(get_metadata: GetMetadata) -> str | None:
    """`metadata.nbdesk.trust.signature` as written: None when absent, "" when present
    but not a string (it then verifies as nothing)."""
    value = _parsed(get_metadata, "nbdesk")
    trust = value.get("trust") if isinstance(value, dict) else None
    if trust is None:
        return None
    signature = trust.get("signature") if isinstance(trust, dict) else None
    return signature if isinstance(signature, str) else ""


def nbdesk_metadata_with(
    get_metadata: GetMetadata,
    *,
    dependencies: list[str] | None = None,
    signature: str | None = None,
) -> str:
    """The raw JSON for `metadata.nbdesk` with the uv dependencies and/or the trust
    signature replaced, everything else in it kept. Raises EnvError when what is there
    is not a JSON object (nbdesk would otherwise overwrite it)."""
    raw = get_metadata("nbdesk")
    value: Any = {} if raw is None else _parsed(get_metadata, "nbdesk")
    if not isinstance(value, dict):
        raise EnvError(
            "metadata nbdesk is not a JSON object, so nbdesk cannot write the dependencies "
            "into it without losing it: fix it by hand (or remove it), then try again",
            code=ErrorCode.BAD_DEPENDENCY,
        )
    if dependencies is not None:
        uv = value.get("uv")
        value["uv"] = {**(uv if isinstance(uv, dict) else {}), "dependencies": dependencies}
    if signature is not None:
        value["trust"] = {"signature": signature}
    return json.dumps(value, sort_keys=True)


def dependency_diff(
    wanted: tuple[str, ...], installed: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """(added, removed): what the notebook lists that the environment lacks, and back."""
    return sorted(set(wanted) - set(installed)), sorted(set(installed) - set(wanted))

"""The uv dependencies a notebook asks for in its metadata, and how they differ from an
environment's.

nbdesk reads `metadata.nbdesk.uv.dependencies` (a list of PEP 508 requirement strings);
`metadata.runt.uv.dependencies` and a top-level `metadata.uv.dependencies` (how runt
writes them) are read too, so notebooks from there keep working. Pure functions: the
document is passed in as its raw metadata strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nbdesk.daemon.wire.errors import EnvError

KEYS = ("nbdesk", "runt", "uv")
MAX_DEPENDENCIES = 200


def notebook_dependencies(get_metadata: Callable[[str], str | None]) -> tuple[str, ...]:
    """The notebook's uv dependencies, normalised (stripped, deduplicated, sorted).

    Raises EnvError for a list nbdesk will not hand to uv (not strings, or an entry that
    uv would read as an option)."""
    for key in KEYS:
        raw = get_metadata(key)
        if raw is None:
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            continue
        section = (
            value if key == "uv" else (value or {}).get("uv") if isinstance(value, dict) else None
        )
        if not isinstance(section, dict) or "dependencies" not in section:
            continue
        return _normalise(section["dependencies"], key)
    return ()


def _normalise(deps: Any, key: str) -> tuple[str, ...]:
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise EnvError(f"metadata {key}: uv dependencies must be a list of strings")
    cleaned = sorted({d.strip() for d in deps if d.strip()})
    if len(cleaned) > MAX_DEPENDENCIES:
        raise EnvError(f"metadata {key}: more than {MAX_DEPENDENCIES} dependencies")
    for dep in cleaned:
        if dep.startswith("-") or "\n" in dep or "\x00" in dep:
            raise EnvError(f"metadata {key}: {dep!r} is not a requirement")
    return tuple(cleaned)


def dependency_diff(
    wanted: tuple[str, ...], installed: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """(added, removed): what the notebook lists that the environment lacks, and back."""
    return sorted(set(wanted) - set(installed)), sorted(set(installed) - set(wanted))

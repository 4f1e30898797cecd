"""What nbdesk accepts as one of a notebook's packages: a PEP 508 requirement naming a
package from the index (a name, extras, version specifiers, a marker), never an installer
option (`--index-url …`, `-e …`), a URL or a path. A notebook that may name where code is
fetched from could make any machine fetch anything, so those are refused before uv sees
them, with a reason that says what to write instead.

The page checks the same rules as the user types (web/src/ui/requirements.ts); the daemon
is the one that enforces them. Pure functions.
"""

from __future__ import annotations

import re

from nbdesk.daemon.wire.errors import EnvError, ErrorCode

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_EXTRAS = rf"\[\s*(?:{_NAME}(?:\s*,\s*{_NAME})*)?\s*\]"
_VERSION = r"(?:===|~=|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+"
_VERSIONS = rf"{_VERSION}(?:\s*,\s*{_VERSION})*"
_REQUIREMENT = re.compile(
    rf"^({_NAME})\s*(?:{_EXTRAS})?\s*(?:{_VERSIONS}|\(\s*{_VERSIONS}\s*\))?\s*(?:;\s*[^;]+)?$"
)
_URL = re.compile(r"://|^(?:git|hg|svn|bzr)\+|^file:|^[^;]*@", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tar)$", re.IGNORECASE)
EXAMPLE = "like pandas or numpy>=1.26"
MAX_LENGTH = 500


def normalize_name(name: str) -> str:
    """PEP 503: names compare lower-cased, with runs of `-`, `_` and `.` as one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The normalised package name a checked requirement starts with."""
    match = re.match(rf"\s*({_NAME})", requirement)
    return normalize_name(match.group(1)) if match else ""


def check_requirement(text: str, where: str = "") -> str:
    """`text` stripped, if it is a requirement nbdesk hands to uv; else EnvError
    (`bad_dependency`) saying why and what to write. `where` prefixes the message."""
    requirement = text.strip()
    prefix = f"{where}: " if where else ""

    def refuse(reason: str) -> EnvError:
        return EnvError(prefix + reason, code=ErrorCode.BAD_DEPENDENCY)

    if not requirement:
        raise refuse(f"an empty package name: remove it, or write one {EXAMPLE}")
    if len(requirement) > MAX_LENGTH or any(ord(c) < 32 for c in requirement):
        raise refuse(f"{requirement[:60]!r}… is not a package requirement: write one {EXAMPLE}")
    if requirement.startswith("-"):
        raise refuse(
            f"{requirement!r} is an installer option, not a requirement: a notebook lists "
            f"packages from the package index only, by name, {EXAMPLE}"
        )
    before_marker = requirement.split(";")[0].strip()
    if _URL.search(requirement):
        raise refuse(
            f"{requirement!r} names a place to download from, not a requirement: a notebook "
            f"lists packages from the package index only, by name, {EXAMPLE}"
        )
    if (
        requirement[0] in "./~\\"
        or "/" in before_marker
        or "\\" in before_marker
        or re.match(r"^[A-Za-z]:", requirement)
        or _ARCHIVE.search(before_marker)
    ):
        raise refuse(
            f"{requirement!r} is a file or folder path, not a requirement: a notebook lists "
            f"packages from the package index only, by name, {EXAMPLE}"
        )
    if not _REQUIREMENT.match(requirement):
        raise refuse(
            f"{requirement!r} is not a requirement: write a package name with an optional "
            f"version, {EXAMPLE}"
        )
    return requirement

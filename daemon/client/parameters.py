"""papermill-style parameters for `nbdesk run`: read them, render them, inject them.

Values from `-p NAME VALUE` are typed as papermill types them (`True`/`False`/`None`,
then int, then float, else the string); `-f FILE` is YAML (timestamps stay strings, as
papermill reads them). The injected cell follows papermill: a `# Parameters` comment and
one assignment a line, in the kernel's language, tagged `injected-parameters`, placed
after the cell tagged `parameters` (at the top if none) or replacing the cell a previous
run injected. This module does not talk to the daemon.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat
import yaml

from nbdesk.daemon.wire.errors import NbdeskError

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
HEADER = "Parameters"  # papermill's comment on the injected cell
R_NAME = re.compile(r"^[A-Za-z.][A-Za-z0-9._]*$")


class ParameterError(NbdeskError):
    """A parameter, or a parameters file, that cannot be injected."""


class _NoDatesLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays the string it was written as."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def typed_value(value: str) -> Any:
    """A `-p` value as papermill types it."""
    if value in ("True", "False"):
        return value == "True"
    if value == "None":
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def read_file(path: Path) -> dict[str, Any]:
    """The mapping of a YAML (or JSON) parameters file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"the parameters file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"the parameters file {path} cannot be read: {exc}") from exc
    try:
        loaded = yaml.load(text, Loader=_NoDatesLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        raise ParameterError(
            f"the parameters file {path} is not YAML ({_first_line(exc)}); "
            "write one `name: value` a line"
        ) from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise ParameterError(
            f"the parameters file {path} holds a {type(loaded).__name__}, not names and values; "
            "write one `name: value` a line"
        )
    return loaded


def collect(files: Iterable[Path], pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Files first, then `-p` pairs, later ones winning (papermill's order)."""
    parameters: dict[str, Any] = {}
    for path in files:
        parameters.update(read_file(path))
    for name, value in pairs:
        parameters[name] = typed_value(value)
    return parameters


def _first_line(exc: yaml.YAMLError) -> str:
    return " ".join(str(exc).split())


# -- rendering, one translator a language (papermill's PythonTranslator and RTranslator) --


def _escaped_str(value: str) -> str:
    return '"' + value.encode("unicode_escape").decode("utf-8").replace('"', r"\"") + '"'


def python_literal(value: Any) -> str:
    if value is None or isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return str(value)
        if math.isnan(value):
            return "float('nan')"
        return "float('-inf')" if value < 0 else "float('inf')"
    if isinstance(value, dict):
        items = ", ".join(f"{_escaped_str(str(k))}: {python_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    return _escaped_str(str(value))


def r_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        items = ", ".join(f"{_escaped_str(str(k))} = {r_literal(v)}" for k, v in value.items())
        return f"list({items})"
    if isinstance(value, list):
        return "list(" + ", ".join(r_literal(v) for v in value) + ")"
    return _escaped_str(str(value))


def _python_name(name: str) -> str:
    if not name.isidentifier():
        raise ParameterError(f"parameter name {name!r} is not a Python name")
    return name


def _r_name(name: str) -> str:
    stripped = name.lstrip("_")  # papermill drops leading underscores: R names cannot have them
    if not R_NAME.match(stripped):
        raise ParameterError(f"parameter name {name!r} is not an R name")
    return stripped


LANGUAGES = {"python": (_python_name, python_literal), "r": (_r_name, r_literal)}


def render(parameters: Mapping[str, Any], language: str) -> str:
    """The injected cell's source: papermill's header, then one assignment a line."""
    try:
        name_of, literal = LANGUAGES[language.lower()]
    except KeyError:
        known = " and ".join(sorted(LANGUAGES))
        raise ParameterError(
            f"parameters can be injected into {known} notebooks; this kernel's language is "
            f"{language or 'unknown'}: run without -p/-f, or pick a kernel with --kernel"
        ) from None
    lines = [f"# {HEADER}"]
    lines += [f"{name_of(name)} = {literal(value)}" for name, value in parameters.items()]
    return "\n".join(lines) + "\n"


def notebook_language(nb: nbformat.NotebookNode) -> str:
    """The language the notebook says it is in (`language_info`, then its kernelspec);
    Python when it says nothing, as the default kernel is a Python."""
    metadata = nb.get("metadata", {})
    name = metadata.get("language_info", {}).get("name") or metadata.get("kernelspec", {}).get(
        "language"
    )
    return str(name or "python")


def _tagged(nb: nbformat.NotebookNode, tag: str) -> int | None:
    return next(
        (i for i, cell in enumerate(nb.cells) if tag in cell.get("metadata", {}).get("tags", [])),
        None,
    )


def inject(nb: nbformat.NotebookNode, source: str) -> int:
    """Put the parameters cell in `nb` (in place); returns its index."""
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [INJECTED_TAG]
    previous = _tagged(nb, INJECTED_TAG)
    if previous is not None:
        nb.cells[previous] = cell
        return previous
    anchor = _tagged(nb, PARAMETERS_TAG)
    index = 0 if anchor is None else anchor + 1
    nb.cells.insert(index, cell)
    return index

"""Export a notebook as the daemon holds it now (unsaved edits included): HTML, a script in
the kernel's language, Markdown, or PDF.

The notebook is read through the client: a sync barrier, then the replica's cells with
their outputs and widgets fetched from the blob server, written out by the one `.ipynb`
exporter (`doc.ipynb.export_notebook`). nbconvert turns that into HTML (JupyterLab's
template, images inline, widgets drawn from their last state by `widget_snapshot`, charts
by the page's own bundles (`export_charts`), no script loaded from the network for
either), a script or Markdown (its images in a `<name>_files` folder beside it). PDF is
that HTML printed by a web engine, so no TeX is needed: a headless Chromium (`pdf.py`),
or the caller's (the app's Qt WebEngine). Does not choose the notebook or the file: callers do
(`export_cli.py`, the desktop shell, the MCP server).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import nbformat

from nbdesk.daemon.client.export_charts import bundle_scripts, draw_charts
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.client.pdf import PdfPrinter
from nbdesk.daemon.client.widget_snapshot import (
    WIDGET_STATE_MIME,
    WIDGET_VIEW_MIME,
    SnapshotRenderer,
    blob_refs,
    widget_state_metadata,
)
from nbdesk.daemon.doc.ipynb import export_notebook
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError


class ExportFormat(StrEnum):
    HTML = "html"
    SCRIPT = "script"
    MARKDOWN = "markdown"
    PDF = "pdf"


SCRIPT_SUFFIX = {"python": ".py", "r": ".r", "julia": ".jl"}
FIXED_SUFFIX = {ExportFormat.HTML: ".html", ExportFormat.MARKDOWN: ".md", ExportFormat.PDF: ".pdf"}

# JupyterLab's page, minus the loader that fetches the widget manager from a CDN: widgets
# are already drawn from their state, and an exported file should open offline. The chart
# bundles the notebook needs are inlined into its head (`export_charts.py`).
HTML_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block html_head_js %}
{{ super() }}
{%- for script in resources.get("nbdesk_chart_scripts", []) %}
<script>{{ script }}</script>
{%- endfor %}
{% endblock html_head_js %}
{% block extra_css %}
<style>
.nbdesk-widget { padding: 2px 0; }
.nbdesk-widget label { margin-right: 6px; }
.nbdesk-widget output { font-family: var(--jp-code-font-family, monospace); }
.nbdesk-widget img { max-width: 100%; }
</style>
{% endblock extra_css %}
"""


class ExportError(NbdeskError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=ErrorCode.EXPORT_FAILED)


@dataclass(frozen=True)
class Exported:
    """One export in memory: the main file's bytes, its suffix, and extra files (images of
    a Markdown export) by their name relative to the main file's folder."""

    body: bytes
    suffix: str
    files: dict[str, bytes] = field(default_factory=dict)


class _Outputs:
    """Outputs already fetched, readable where `export_notebook` expects a store."""

    def __init__(self, outputs: dict[str, dict[str, Any]]) -> None:
        self._outputs = outputs

    def store_output(self, output: dict[str, Any]) -> Any:
        raise NotImplementedError("an export never stores outputs")

    def load_output(self, manifest_hash: str) -> dict[str, Any]:
        return copy.deepcopy(self._outputs[manifest_hash])


async def snapshot(client: NotebookClient) -> nbformat.NotebookNode:
    """The notebook as the daemon holds it at this moment, outputs and widget state in."""
    await client.confirm_sync()
    doc = client.doc
    hashes: list[str] = [h for cell in doc.cells() for h in cell.outputs]
    resolved = await client.resolve_outputs(hashes)
    nb = export_notebook(doc, _Outputs(dict(zip(hashes, resolved, strict=True))))
    widgets = await client.get_widgets()
    if widgets:
        blobs = {h: await client.fetch_blob(h) for w in widgets for h in blob_refs(w["state"])}
        nb.metadata["widgets"] = {WIDGET_STATE_MIME: widget_state_metadata(widgets, blobs)}
        _draw_widget_views(nb, SnapshotRenderer(widgets, blobs))
    return nb


def _draw_widget_views(nb: nbformat.NotebookNode, renderer: SnapshotRenderer) -> None:
    """Each widget view becomes its static drawing (the state stays in the metadata)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW_MIME)
            if isinstance(view, dict) and isinstance(view.get("model_id"), str):
                output["data"] = {
                    "text/html": renderer.view(view["model_id"]),
                    "text/plain": output["data"].get("text/plain", ""),
                }


def convert(nb: nbformat.NotebookNode, fmt: ExportFormat, name: str) -> Exported:
    """`nb` in `fmt` (PDF excluded: it is printed from the HTML); `name` titles the page and
    names a Markdown export's image folder."""
    import nbconvert  # only exports pay for importing it
    from jinja2 import DictLoader

    resources: dict[str, Any] = {"metadata": {"name": name}, "output_files_dir": f"{name}_files"}
    _ensure_language_info(nb)
    exporter: Any
    if fmt in (ExportFormat.HTML, ExportFormat.PDF):
        try:
            resources["nbdesk_chart_scripts"] = bundle_scripts(draw_charts(nb))
        except FileNotFoundError as exc:
            raise ExportError(str(exc)) from exc
        exporter = nbconvert.HTMLExporter(
            template_name="lab",
            extra_loaders=[DictLoader({"nbdesk.html.j2": HTML_TEMPLATE})],
            template_file="nbdesk.html.j2",
            embed_images=True,
        )
    elif fmt == ExportFormat.SCRIPT:
        exporter = nbconvert.ScriptExporter()
    else:
        exporter = nbconvert.MarkdownExporter()
    try:
        body, written = exporter.from_notebook_node(nb, resources=resources)
    except Exception as exc:
        raise ExportError(f"nbconvert could not write {fmt}: {exc}") from exc
    suffix = FIXED_SUFFIX.get(fmt) or written.get("output_extension") or ".txt"
    return Exported(body.encode("utf-8"), suffix, dict(written.get("outputs") or {}))


def _ensure_language_info(nb: nbformat.NotebookNode) -> None:
    """A notebook that never ran has no `language_info`, so nbconvert would not know its
    language: take it from the kernelspec (Python when that says nothing either)."""
    info = nb.metadata.setdefault("language_info", {})
    if not info.get("name"):
        info["name"] = nb.metadata.get("kernelspec", {}).get("language") or "python"
    if not info.get("file_extension"):
        info["file_extension"] = SCRIPT_SUFFIX.get(str(info["name"]).lower(), ".txt")
    if str(info["name"]).lower() == "python":
        info.setdefault("nbconvert_exporter", "python")  # markdown kept, as comments


async def export(
    client: NotebookClient,
    fmt: ExportFormat,
    target: Path | None = None,
    printer: PdfPrinter | None = None,
) -> Path:
    """Write the notebook in `fmt` to `target` (default: beside the notebook, named after
    it; the format's suffix added when `target` has none); the path written. A PDF is
    printed by `printer` (the app's engine), else by a headless Chromium (`pdf.py`)."""
    nb = await snapshot(client)
    if target is None:
        target = Path(client.path).with_suffix("") if client.path else Path.cwd() / "Untitled"
    exported = convert(nb, fmt, target.stem)
    if target.suffix == "":
        target = target.with_suffix(exported.suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == ExportFormat.PDF:
        from nbdesk.daemon.client.pdf import print_to_pdf

        await (printer or print_to_pdf)(exported.body, target)
        return target
    for relative, data in exported.files.items():
        extra = target.parent / relative
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_bytes(data)
    target.write_bytes(exported.body)
    return target

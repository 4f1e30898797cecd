/**
 * The daemon's cell-by-cell comparison (`compare` reply), drawn: one entry per cell that
 * changed, saying how (added, removed, moved, modified), with the inline source diff, the
 * outputs of both sides side by side (rendered as any output: images show as images) and
 * their text diff, and the metadata keys that changed. Unchanged cells are counted, not
 * drawn. The page never diffs notebooks itself: every line here comes from the reply.
 *
 * A dialog; Escape or "Close" closes it. Hooks: `dialog[data-compare]`,
 * `[data-compare-cell][data-status]`, `.diff-line[data-op]`, `[data-compare-side=left|right]`.
 */

import type { CellDiff, Comparison, DiffLine } from "../protocol/wire.gen.ts";
import { h } from "./dom.ts";
import type { BlobClient } from "./manifests.ts";
import { outputElement } from "./outputs.ts";

const STATUS_WORDS: Readonly<Record<CellDiff["status"], string>> = {
  added: "added",
  removed: "removed",
  moved: "moved",
  modified: "modified",
  unchanged: "unchanged",
};

function diffBlock(lines: readonly DiffLine[], label: string): HTMLElement {
  return h(
    "pre",
    { class: "diff", "aria-label": label, tabindex: "0" },
    ...lines.map((line) =>
      h("span", { class: "diff-line", "data-op": line.op === " " ? "same" : line.op === "+" ? "add" : "del" }, `${line.op} ${line.text}\n`),
    ),
  );
}

function outputsSide(hashes: readonly string[], side: "left" | "right", title: string, blobs: BlobClient): HTMLElement {
  return h(
    "div",
    { class: "compare-outputs-side", "data-compare-side": side },
    h("h4", {}, title),
    hashes.length === 0 ? h("p", { class: "compare-none" }, "no outputs") : h("div", { class: "outputs" }, ...hashes.map((hash) => outputElement(hash, blobs))),
  );
}

function where(diff: CellDiff): string {
  const left = diff.left_index === null ? null : diff.left_index + 1;
  const right = diff.right_index === null ? null : diff.right_index + 1;
  if (left !== null && right !== null && left !== right) {
    return `cell ${left} → ${right}`;
  }
  return `cell ${right ?? left ?? "?"}`;
}

function cellEntry(diff: CellDiff, comparison: Comparison, blobs: BlobClient): HTMLElement {
  const status = STATUS_WORDS[diff.status];
  const entry = h(
    "section",
    { class: "compare-cell", "data-compare-cell": diff.cell_id, "data-status": diff.status },
    h("h3", {}, h("span", { class: "compare-status" }, status), ` ${diff.cell_type} ${where(diff)}`),
  );
  if (diff.source_lines.length > 0) {
    entry.append(diffBlock(diff.source_lines, `Source of ${where(diff)}, ${status}`));
  }
  if (diff.outputs_changed) {
    entry.append(
      h(
        "div",
        { class: "compare-outputs" },
        outputsSide(diff.left_outputs, "left", comparison.left_label, blobs),
        outputsSide(diff.right_outputs, "right", comparison.right_label, blobs),
      ),
    );
    if (diff.output_lines.length > 0) {
      entry.append(diffBlock(diff.output_lines, `Outputs of ${where(diff)} as text`));
    }
  }
  if (diff.metadata_changed.length > 0) {
    entry.append(h("p", { class: "compare-metadata" }, `Metadata changed: ${diff.metadata_changed.join(", ")}`));
  }
  return entry;
}

export class CompareView {
  readonly element: HTMLDialogElement;
  readonly #title: HTMLElement;
  readonly #summary: HTMLElement;
  readonly #cells: HTMLElement;
  readonly #close: HTMLButtonElement;

  /** `closed`: where the focus goes back to. */
  constructor(closed: () => void) {
    this.#title = h("h2", { id: "compare-title" });
    this.#summary = h("p", { class: "compare-summary", "data-compare-summary": "" });
    this.#cells = h("div", { class: "compare-cells" });
    this.#close = h("button", { type: "button", "data-compare-close": "" }, "Close");
    this.#close.addEventListener("click", () => this.element.close());
    this.element = h(
      "dialog",
      { class: "compare-dialog", "aria-labelledby": "compare-title", "data-compare": "" },
      h("div", { class: "compare-head" }, this.#title, this.#close),
      this.#summary,
      this.#cells,
    );
    this.element.addEventListener("close", closed);
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  /** Show a comparison (replacing any shown). */
  show(comparison: Comparison, blobs: BlobClient): void {
    const changed = comparison.cells.filter((diff) => diff.status !== "unchanged");
    const same = comparison.cells.length - changed.length;
    this.#title.textContent = `${comparison.left_label} → ${comparison.right_label}`;
    const counts = (["added", "removed", "moved", "modified"] as const)
      .map((status) => [status, changed.filter((diff) => diff.status === status).length] as const)
      .filter(([, count]) => count > 0)
      .map(([status, count]) => `${count} ${status}`);
    this.#summary.textContent =
      changed.length === 0
        ? `No differences (${same} cells the same).`
        : `${counts.join(", ")}; ${same} cell${same === 1 ? "" : "s"} unchanged.`;
    this.#cells.replaceChildren(...changed.map((diff) => cellEntry(diff, comparison, blobs)));
    if (!this.element.open) {
      this.element.showModal();
    }
    this.#close.focus();
  }
}

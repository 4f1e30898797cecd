import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { jsonNode } from "../src/render/json-model.ts";
import { latexSource } from "../src/render/latex.ts";
import { altairVersions } from "../src/render/charts.ts";
import { chartKind, chooseMime } from "../src/render/mime.ts";
import { attachmentUrl, filesUrl, parseAttachments, resolveUrl } from "../src/render/resources.ts";
import { truncateLines } from "../src/render/truncate.ts";
import { parseManifest } from "../src/ui/manifests.ts";

function lines(count: number, trailingNewline = true): string {
  const text = Array.from({ length: count }, (_, i) => `line ${i}`).join("\n");
  return trailingNewline ? `${text}\n` : text;
}

describe("stream truncation", () => {
  it("leaves short text alone", () => {
    assert.equal(truncateLines(lines(100), 50, 50), null);
    assert.equal(truncateLines(lines(100, false), 50, 50), null);
    assert.equal(truncateLines("", 50, 50), null);
    assert.equal(truncateLines("no newline at all", 1, 1), null);
  });

  it("keeps the first and last lines and counts the rest", () => {
    const cut = truncateLines(lines(101), 50, 50);
    assert.ok(cut !== null);
    assert.equal(cut.hidden, 1);
    assert.equal(cut.head, lines(50));
    assert.equal(cut.tail, `${lines(101).split("\n").slice(51, 101).join("\n")}\n`);
    assert.equal(cut.head.split("\n").length - 1, 50);
  });

  it("treats a missing trailing newline like a line of its own", () => {
    const cut = truncateLines("a\nb\nc\nd\ne", 1, 2);
    assert.deepEqual(cut, { head: "a\n", tail: "d\ne", hidden: 2 });
  });

  it("cuts 100,000 lines quickly and exactly", () => {
    const text = lines(100_000);
    const started = performance.now();
    const cut = truncateLines(text);
    const elapsed = performance.now() - started;
    assert.ok(cut !== null);
    assert.equal(cut.hidden, 100_000 - 100);
    assert.ok(cut.head.startsWith("line 0\n") && cut.head.endsWith("line 49\n"));
    assert.ok(cut.tail.startsWith("line 99950\n") && cut.tail.endsWith("line 99999\n"));
    assert.ok(elapsed < 200, `took ${elapsed} ms`);
  });
});

describe("JSON tree model", () => {
  it("summarises containers and builds children on demand", () => {
    const root = jsonNode({ a: [1, "two", null], b: { c: true }, d: {} });
    assert.equal(root.kind, "object");
    assert.equal(root.summary, "{…} 3 keys");
    assert.ok(root.expandable);
    const [a, b, d] = root.children();
    assert.deepEqual([a?.key, a?.kind, a?.summary], ["a", "array", "[…] 3 items"]);
    assert.deepEqual(
      a?.children().map((node) => [node.key, node.kind, node.summary]),
      [
        ["0", "number", "1"],
        ["1", "string", '"two"'],
        ["2", "null", "null"],
      ],
    );
    assert.equal(b?.children()[0]?.summary, "true");
    assert.deepEqual([d?.summary, d?.expandable], ["{}", false]);
  });

  it("shows scalars at the root and cuts long strings", () => {
    assert.deepEqual([jsonNode(42).summary, jsonNode(42).expandable], ["42", false]);
    const long = jsonNode("x".repeat(10_000)).summary;
    assert.ok(long.length < 600 && long.endsWith("…"));
    assert.equal(jsonNode([7]).summary, "[…] 1 item");
  });
});

describe("markdown URLs", () => {
  const attachments = parseAttachments(
    JSON.stringify({
      "dot.png": { "image/png": "iVBORw0KGgo=\n" },
      "shape.svg": { "image/svg+xml": ["<svg ", "/>"] },
      "notes.txt": { "text/plain": "hi" },
    }),
  );
  const saved = { notebookPath: "/home/me/project/analysis.ipynb", token: "T0k" };
  const untitled = { notebookPath: null, token: "T0k" };

  it("parses attachments and survives bad JSON", () => {
    assert.equal(attachments.size, 3);
    assert.equal(parseAttachments("{not json").size, 0);
    assert.equal(parseAttachments("[1,2]").size, 0);
    assert.equal(parseAttachments(null).size, 0);
  });

  it("turns attachment: into data URLs", () => {
    assert.equal(attachmentUrl(attachments, "dot.png"), "data:image/png;base64,iVBORw0KGgo=");
    assert.deepEqual(resolveUrl("attachment:shape.svg", attachments, saved), {
      kind: "url",
      url: `data:image/svg+xml;charset=utf-8,${encodeURIComponent("<svg />")}`,
    });
    assert.equal(resolveUrl("attachment:missing.png", attachments, saved).kind, "missing");
    assert.equal(resolveUrl("attachment:notes.txt", attachments, saved).kind, "missing");
  });

  it("sends relative paths to the shell server's /files/ route", () => {
    assert.deepEqual(resolveUrl("img/plot one.png?x=1#y", attachments, saved), {
      kind: "url",
      url: "/files/img/plot%20one.png?token=T0k&notebook=%2Fhome%2Fme%2Fproject%2Fanalysis.ipynb",
    });
    assert.deepEqual(filesUrl(saved, "./img/a%20b.png"), {
      kind: "url",
      url: "/files/img/a%20b.png?token=T0k&notebook=%2Fhome%2Fme%2Fproject%2Fanalysis.ipynb",
    });
    assert.equal(resolveUrl("../secret.png", attachments, saved).kind, "missing");
    assert.equal(resolveUrl("img/%2e%2e/../x.png", attachments, saved).kind, "missing");
    assert.equal(resolveUrl("img/a.png", attachments, untitled).kind, "missing");
  });

  it("leaves absolute, rooted and fragment URLs alone", () => {
    const urls = ["https://example.org/a.png", "data:image/png;base64,AA", "/abs", "#section", "mailto:x@y"];
    for (const url of urls) {
      assert.deepEqual(resolveUrl(url, attachments, saved), { kind: "keep" }, url);
    }
  });
});

describe("chart outputs", () => {
  it("are shown as charts before the HTML or text they carry too", () => {
    const plotly = "application/vnd.plotly.v1+json";
    assert.equal(chooseMime(["text/html", plotly, "text/plain"]), plotly);
    assert.equal(chooseMime(["text/plain", "application/vnd.vegalite.v6.json"]), "application/vnd.vegalite.v6.json");
    assert.equal(chooseMime(["text/plain", "application/vnd.vegalite.v4+json"]), "application/vnd.vegalite.v4+json");
    assert.equal(chooseMime(["application/vnd.vegalite.v3+json", "text/plain"]), "text/plain");
  });

  it("name the library that draws them", () => {
    assert.equal(chartKind("application/vnd.plotly.v1+json"), "plotly");
    assert.equal(chartKind("application/vnd.vega.v5+json"), "vega");
    assert.equal(chartKind("application/vnd.vega.v6.json"), "vega");
    assert.equal(chartKind("application/vnd.vegalite.v6+json"), "vega-lite");
    assert.equal(chartKind("application/vnd.vegalite.v5+json"), "vega-lite");
  });

  it("find the versions Altair's default HTML asks for, and nothing in other HTML", () => {
    const altair = `<div id="altair-viz-1"></div><script>
      var VEGA_DEBUG = (typeof VEGA_DEBUG == "undefined") ? {} : VEGA_DEBUG;
      maybeLoadScript("vega", "6").then(() => maybeLoadScript("vega-lite", "6.4.1"))
        .then(() => maybeLoadScript("vega-embed", "7")).then(() => displayChart(vegaEmbed));</script>`;
    assert.deepEqual(altairVersions(altair), { vega_version: "6", vegalite_version: "6.4.1", vegaembed_version: "7" });
    assert.equal(altairVersions("<b>vegaEmbed is a word here</b>"), null);
    assert.equal(altairVersions("<table><tr><td>1</td></tr></table>"), null);
  });
});

describe("MIME choice", () => {
  it("prefers rich types and falls back to plain text", () => {
    assert.equal(chooseMime(["text/plain", "text/html"]), "text/html");
    assert.equal(chooseMime(["text/plain", "text/markdown"]), "text/markdown");
    assert.equal(chooseMime(["text/plain", "text/latex"]), "text/latex");
    assert.equal(chooseMime(["text/plain", "application/javascript"]), "application/javascript");
    assert.equal(chooseMime(["text/plain", "application/json"]), "application/json");
    assert.equal(chooseMime(["image/png", "text/plain"]), "image/png");
    assert.equal(chooseMime(["image/svg+xml", "image/png"]), "image/svg+xml");
    assert.equal(chooseMime(["application/x-nope"]), null);
    assert.equal(chooseMime([]), null);
  });
});

describe("text/latex", () => {
  it("shows one delimited equation as display math", () => {
    assert.deepEqual(latexSource("$$x^2$$"), { tex: "x^2" });
    assert.deepEqual(latexSource(" \\[ a+b \\] "), { tex: "a+b" });
    assert.deepEqual(latexSource("$y$"), { tex: "y" });
    const align = "\\begin{align}a&=b\\end{align}";
    assert.deepEqual(latexSource(align), { tex: align });
  });

  it("renders text with math in it as markdown", () => {
    assert.deepEqual(latexSource("where $x$ is big"), { markdown: "where $x$ is big" });
    assert.deepEqual(latexSource("$$a$$ and $$b$$"), { markdown: "$$a$$ and $$b$$" });
  });
});

describe("display metadata", () => {
  it("is kept from the manifest, and empty when absent or malformed", () => {
    const sized = parseManifest({
      output_type: "display_data",
      data: { "image/png": { blob: "a".repeat(64), size: 3, kind: "binary" } },
      metadata: { "image/png": { width: 320, height: 200 } },
    });
    assert.ok(sized.outputType === "display_data");
    assert.deepEqual(sized.metadata, { "image/png": { width: 320, height: 200 } });
    const bare = parseManifest({ output_type: "execute_result", data: {}, metadata: [1] });
    assert.ok(bare.outputType === "execute_result");
    assert.deepEqual(bare.metadata, {});
  });
});

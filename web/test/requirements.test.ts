import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as A from "@automerge/automerge/slim";

import { notebookDependencies } from "../src/doc/dependencies.ts";
import type { NotebookDoc } from "../src/doc/notebook.ts";
import { checkRequirement, flagsByPackage, normalizeName, requirementName } from "../src/ui/requirements.ts";
import { daemonDoc } from "./helpers.ts";

function refusal(typed: string, existing: readonly string[] = []): string {
  const checked = checkRequirement(typed, existing);
  if (checked.ok) assert.fail(`${typed} should be refused`);
  return checked.reason;
}

describe("a package typed into the dependencies panel", () => {
  it("accepts names, extras, versions and markers", () => {
    for (const typed of [
      "six",
      "  numpy>=1.26 ",
      "pandas[excel,performance]>=2.1,<3",
      "zope.interface~=6.0",
      "requests (>=2.31)",
      "tomli; python_version < '3.11'",
      "A",
    ]) {
      const checked = checkRequirement(typed, []);
      assert.ok(checked.ok, `${typed}: ${checked.ok ? "" : checked.reason}`);
      assert.equal(checked.requirement, typed.trim());
    }
    const checked = checkRequirement("pandas[excel]>=2", []);
    assert.ok(checked.ok);
    assert.equal(checked.name, "pandas");
  });

  it("refuses installer options, saying why", () => {
    assert.match(refusal("--index-url https://evil.example/simple"), /installer option/);
    assert.match(refusal("-e ."), /installer option/);
    assert.match(refusal("--extra-index-url=x"), /installer option/);
  });

  it("refuses URLs and direct references", () => {
    for (const typed of [
      "https://example.com/pkg-1.0.tar.gz",
      "git+https://github.com/a/b",
      "pkg @ https://example.com/pkg.whl",
      "pkg@file:///tmp/x",
      "file:relative",
    ]) {
      assert.match(refusal(typed), /place to download from/, typed);
    }
  });

  it("refuses paths", () => {
    for (const typed of ["./pkg", "../pkg", "/tmp/pkg", "~/pkg", "dist/pkg-1.0-py3-none-any.whl", "pkg.tar.gz", "C:\\pkg"]) {
      assert.match(refusal(typed), /path/, typed);
    }
  });

  it("refuses what is not a requirement, and several at once", () => {
    assert.match(refusal(""), /Type a package name/);
    assert.match(refusal("   "), /Type a package name/);
    assert.match(refusal("numpy pandas"), /one package at a time \(“numpy” first\)/);
    assert.match(refusal("numpy, pandas"), /one package at a time/);
    assert.match(refusal("pandas >= "), /not a package requirement/);
    assert.match(refusal("pan das=1"), /not a package requirement/);
  });

  it("refuses a package already listed, by its normalised name", () => {
    assert.match(refusal("six", ["six"]), /six is already listed\./);
    assert.match(refusal("Zope_Interface>=6", ["zope.interface"]), /already listed as “zope.interface”: remove that first/);
  });
});

describe("package names", () => {
  it("normalise as PEP 503 says", () => {
    assert.equal(normalizeName("Zope__Interface.x"), "zope-interface-x");
    assert.equal(requirementName("pandas[excel]>=2"), "pandas");
    assert.equal(requirementName(">=2"), "");
  });
});

describe("the daemon's flagged sentences", () => {
  it("belong to the package they name first", () => {
    const flags = flagsByPackage(
      ["requests", "reqeusts>=1", "six"],
      [
        "reqeusts is one edit away from requests, a popular package: check it is the one you mean.",
        "“nmupy” resembles numpy.",
      ],
    );
    assert.deepEqual(flags.get("reqeusts>=1"), [
      "reqeusts is one edit away from requests, a popular package: check it is the one you mean.",
    ]);
    assert.equal(flags.get("requests"), undefined);
    assert.deepEqual(flags.get(""), ["“nmupy” resembles numpy."]);
  });
});

function withMetadata(entries: Record<string, string>): NotebookDoc {
  return A.change(daemonDoc(), (draft) => {
    for (const [key, value] of Object.entries(entries)) {
      if (draft.metadata !== undefined) {
        draft.metadata[key] = new A.ImmutableString(value);
      }
    }
  });
}

describe("the notebook's dependencies in its metadata", () => {
  it("come from nbdesk first, then runt, then a top-level uv", () => {
    const nbdesk = JSON.stringify({ uv: { dependencies: [" six", "iniconfig", "six", ""] } });
    const runt = JSON.stringify({ uv: { dependencies: ["numpy"] } });
    const uv = JSON.stringify({ dependencies: ["pandas"] });
    assert.deepEqual(notebookDependencies(withMetadata({ nbdesk, runt, uv })), {
      dependencies: ["six", "iniconfig"],
      key: "nbdesk",
      problem: null,
    });
    assert.deepEqual(notebookDependencies(withMetadata({ runt, uv })).dependencies, ["numpy"]);
    assert.deepEqual(notebookDependencies(withMetadata({ uv })).key, "uv");
    assert.deepEqual(notebookDependencies(withMetadata({ nbdesk: JSON.stringify({ other: 1 }), uv })).key, "uv");
  });

  it("are none when unsynced, absent or unreadable, and a problem when not strings", () => {
    assert.deepEqual(notebookDependencies(A.init()).dependencies, []);
    assert.equal(notebookDependencies(withMetadata({ nbdesk: "{not json" })).key, null);
    const bad = notebookDependencies(withMetadata({ nbdesk: JSON.stringify({ uv: { dependencies: [1, "six"] } }) }));
    assert.deepEqual(bad.dependencies, []);
    assert.match(bad.problem ?? "", /not a list of strings/);
  });
});

// Lints src/ and test/ with typescript-eslint's strict, type-checked rules (`npm run lint`),
// and the build scripts with ESLint's recommended rules.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "dist-test/", "node_modules/"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // STYLE.md: no `as` casts; narrow with a check instead (`as const` stays allowed).
      "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }],
      // `(event) => this.#onKey(event)` as a callback is clear; a void value used elsewhere is still flagged.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // A number in a template string reads as its decimal digits; other non-strings stay flagged.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test reports a failing test itself; the promise `it` returns is not ours to await.
          allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test"] }],
        },
      ],
    },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: {
      globals: { console: "readonly", performance: "readonly", process: "readonly" },
    },
  },
);

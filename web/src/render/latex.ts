/**
 * How a text/latex output is shown: a value that is one delimited equation (`$$…$$`,
 * `\[…\]`, `\(…\)`, `$…$` or a `\begin{env}…\end{env}` block) is display math; anything
 * else is text with `$` math in it, rendered as markdown. Pure (no DOM).
 */

const DELIMITED = [
  /^\$\$((?:(?!\$\$)[\s\S])*)\$\$$/,
  /^\\\[([\s\S]*)\\\]$/,
  /^\\\(([\s\S]*)\\\)$/,
  /^\$([^$]*)\$$/,
];
const ENVIRONMENT = /^\\begin\{([a-zA-Z*]+)\}[\s\S]*\\end\{\1\}$/;

export function latexSource(text: string): { readonly tex: string } | { readonly markdown: string } {
  const trimmed = text.trim();
  for (const pattern of DELIMITED) {
    const match = pattern.exec(trimmed);
    if (match !== null) {
      return { tex: (match[1] ?? "").trim() };
    }
  }
  return ENVIRONMENT.test(trimmed) ? { tex: trimmed } : { markdown: text };
}

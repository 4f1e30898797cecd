#!/usr/bin/env bash
# Register IRkernel's kernelspec `ir` for this user, the non-Python kernel the tests run.
# Usage: ensure-r-kernel.sh VENV_DIR. R and IRkernel come from Debian
# (scripts/ensure-system-deps.sh); IRkernel::installspec() shells out to
# `jupyter kernelspec install --user`, so the venv's bin goes first on PATH for it.
# The stamp VENV_DIR/.ir-kernelspec holds the path of the kernel.json it installed: while
# that file exists nothing reruns.
set -euo pipefail

venv=${1:?usage: ensure-r-kernel.sh VENV_DIR}
bin="$venv/bin"
stamp="$venv/.ir-kernelspec"

if [ -f "$stamp" ] && [ -f "$(cat "$stamp")" ]; then
  exit 0
fi

fail() {
  echo "nbdesk's tests need R with IRkernel: $1" >&2
  echo "install it with: sudo apt-get install r-base-core r-cran-irkernel (\`make deps\` does as root)" >&2
  exit 1
}

command -v R >/dev/null 2>&1 || fail "R is not on PATH"
Rscript -e 'suppressPackageStartupMessages(library(IRkernel))' >/dev/null 2>&1 ||
  fail "R has no IRkernel package"
test -x "$bin/jupyter" || {
  echo "no jupyter in $bin: run \`make venv\` first" >&2
  exit 1
}

echo "registering IRkernel's kernelspec 'ir' for $(id -un)"
PATH="$bin:$PATH" Rscript -e \
  'quit(status = IRkernel::installspec(user = TRUE, name = "ir", displayname = "R"))'

spec="$("$bin/jupyter" --data-dir)/kernels/ir/kernel.json"
test -f "$spec" || {
  echo "IRkernel::installspec() reported success but $spec is missing" >&2
  exit 1
}
listed=$("$bin/jupyter" kernelspec list | awk '$1 == "ir" { print $2 }')
if [ "$listed/kernel.json" != "$spec" ]; then
  echo "\`jupyter kernelspec list\` shows ir at '${listed:-nowhere}', not at $(dirname "$spec")" >&2
  exit 1
fi
echo "$spec" >"$stamp"

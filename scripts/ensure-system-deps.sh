#!/usr/bin/env bash
# Install the Debian packages nbdesk's build, app and tests need, only those missing:
# node/npm for the web build; chromium for browser tests (driven by pip's playwright with
# executable_path=/usr/bin/chromium, never `playwright install`); Xvfb, xdotool and
# ImageMagick for real-window tests and screenshots; the libraries Qt's xcb platform
# plugin links (pywebview's Qt backend on Linux); binutils (strip) and desktop-file-utils
# for the installer build and its test; R and IRkernel, the non-Python kernel the tests
# run (its kernelspec is registered by scripts/ensure-r-kernel.sh, which needs the venv);
# poppler-utils (pdftoppm, pdftotext), with which the tests read exported PDFs.
set -euo pipefail

packages=(
  nodejs npm chromium xvfb xdotool imagemagick fonts-dejavu-core
  libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-image0
  libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libxcb-randr0 libegl1 libgl1
  binutils desktop-file-utils r-base-core r-cran-irkernel poppler-utils
)

missing=()
for package in "${packages[@]}"; do
  case "$package" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "nbdesk needs these Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

"""Build the installers: `make installer` runs this.

    python packaging/build.py [--skip-pyinstaller]

1. PyInstaller freezes the app with packaging/nbdesk.spec into dist/nbdesk/.
2. packaging/collect_licenses.py adds dist/nbdesk/licenses/.
3. On Linux: dist/nbdesk-<version>-linux-<arch>.tar.gz (the folder) and
   dist/nbdesk_<version>_<arch>.deb (/opt/nbdesk, /usr/bin/nbdesk, the desktop entry,
   the icons and the .ipynb type). On macOS the spec also makes dist/nbdesk.app, on
   Windows the dist/nbdesk folder is the build; neither is packaged further here.

The .deb is zstd-compressed (dpkg 1.21.18+, Debian 12, Ubuntu 21.10+). Prints the time
of each step and the sizes, and writes them to dist/build-report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / "nbdesk"
LINUX = ROOT / "packaging" / "linux"
DEB_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from nbdesk import __version__

    return __version__


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


def freeze() -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK / "pyinstaller"),
            str(ROOT / "packaging" / "nbdesk.spec"),
        ],
        check=True,
        cwd=ROOT,
    )


def licences() -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "collect_licenses.py"),
            str(BUNDLE),
            str(WORK / "pyinstaller" / "nbdesk" / "PYZ-00.toc"),
        ],
        check=True,
        cwd=ROOT,
    )


def tarball(name: str) -> Path:
    out = DIST / f"{name}.tar.gz"
    out.unlink(missing_ok=True)
    # the folder is unpacked as nbdesk/; owner and mtime of the build machine do not matter
    subprocess.run(
        ["tar", "--owner=0", "--group=0", "-czf", str(out), "-C", str(DIST), "nbdesk"],
        check=True,
    )
    return out


def deb_stage(ver: str, arch: str) -> Path:
    """The .deb's file tree (the app folder hard-linked into it) with DEBIAN/control."""
    stage = WORK / "deb"
    shutil.rmtree(stage, ignore_errors=True)
    opt = stage / "opt" / "nbdesk"
    opt.parent.mkdir(parents=True)
    shutil.copytree(BUNDLE, opt, symlinks=True, copy_function=os.link)
    bin_dir = stage / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copyfile(LINUX / "nbdesk.sh", bin_dir / "nbdesk")
    (bin_dir / "nbdesk").chmod(0o755)
    share = stage / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(LINUX / "nbdesk.desktop", share / "applications" / "nbdesk.desktop")
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copyfile(LINUX / "nbdesk-mime.xml", share / "mime" / "packages" / "nbdesk.xml")
    for png in sorted((ROOT / "icons" / "png").glob("nbdesk-*.png")):
        size = png.stem.split("-")[1]
        if int(size) > 512:
            continue  # hicolor stops at 512
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copyfile(png, target / "nbdesk.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copyfile(ROOT / "icons" / "nbdesk.svg", scalable / "nbdesk.svg")
    doc = share / "doc" / "nbdesk"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "nbdesk is BSD-3-Clause. The licences of everything bundled with it (Qt and\n"
        "PySide6 under the LGPL-3.0 with a source offer, Python, every Python package and\n"
        "system library) are in /opt/nbdesk/licenses/; start with README.txt there.\n"
    )
    control = stage / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        (LINUX / "control")
        .read_text()
        .format(version=ver, arch=arch, installed_kb=folder_size(stage) // 1024)
    )
    return stage


def deb(stage: Path, ver: str, arch: str) -> Path:
    out = DIST / f"nbdesk_{ver}_{arch}.deb"
    out.unlink(missing_ok=True)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zzstd", "-z3", "--build", str(stage), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def timed(step: Callable[..., Path], *args: object) -> tuple[Path, float]:
    started = time.monotonic()
    return step(*args), round(time.monotonic() - started, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-pyinstaller", action="store_true", help="package the dist/nbdesk already built"
    )
    args = parser.parse_args(argv)
    ver = version()
    report: dict[str, object] = {"version": ver, "platform": sys.platform}
    started = time.monotonic()
    if not args.skip_pyinstaller:
        freeze()
        report["pyinstaller_s"] = round(time.monotonic() - started, 1)
    step = time.monotonic()
    licences()
    report["licences_s"] = round(time.monotonic() - step, 1)
    report["folder_bytes"] = folder_size(BUNDLE)
    if sys.platform.startswith("linux"):
        # the two compressions run side by side: one core each
        machine = platform.machine()
        arch = DEB_ARCH.get(machine, machine)
        stage = deb_stage(ver, arch)  # before tar reads the folder: linking changes ctimes
        with ThreadPoolExecutor(2) as pool:
            jobs = {
                "tar_gz": pool.submit(timed, tarball, f"nbdesk-{ver}-linux-{machine}"),
                "deb": pool.submit(timed, deb, stage, ver, arch),
            }
            for key, job in jobs.items():
                path, seconds = job.result()
                report[key] = path.name
                report[f"{key}_bytes"] = path.stat().st_size
                report[f"{key}_s"] = seconds
        shutil.rmtree(stage)  # only now: unlinking changes the ctimes tar checks
    report["total_s"] = round(time.monotonic() - started, 1)
    (DIST / "build-report.json").write_text(json.dumps(report, indent=1) + "\n")
    for key, value in report.items():
        shown = f"{value / 1e6:.1f} MB" if key.endswith("_bytes") else value
        print(f"{key:14} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

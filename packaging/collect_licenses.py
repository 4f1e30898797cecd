"""Put the licence of everything bundled into the frozen app's `licenses/` folder.

    python packaging/collect_licenses.py dist/nbdesk build/pyinstaller/nbdesk/PYZ-00.toc

What is bundled is read from the build, not listed by hand: the Python modules in the
PyInstaller archive (its table of contents) and the files in `_internal/`, mapped to
their distributions with importlib.metadata; each distribution's licence files are
copied from its metadata. Shared libraries taken from the system are mapped to their
Debian packages (`dpkg -S`), whose copyright files are copied. Python's own licence
comes from the interpreter. PySide6's wheels ship no licence files, so the LGPL and GPL
texts, the Qt and Chromium notices and the source offer come from packaging/licenses/.
Exits non-zero when a bundled distribution has neither a licence file nor a licence
in its metadata.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTICES = ROOT / "packaging" / "licenses"
LICENSE_NAME = re.compile(r"(^|/)(licen[cs]e|copying|notice|authors|copyright)[^/]*$", re.I)
SYSTEM_DIRS = ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib", "/lib")


def bundled_top_names(bundle: Path, pyz_toc: Path) -> set[str]:
    """Top-level import names of every module in the bundle."""
    toc = ast.literal_eval(pyz_toc.read_text())
    names = {entry[0].split(".")[0] for entry in toc[1]}
    for path in (bundle / "_internal").iterdir():
        names.add(path.name.split(".")[0])
    return names


def bundled_distributions(names: set[str]) -> list[md.Distribution]:
    by_module = md.packages_distributions()
    wanted = {dist for name in names for dist in by_module.get(name, [])}
    wanted.discard("nbdesk")
    found = {}
    for name in sorted(wanted, key=str.lower):
        dist = md.distribution(name)
        found[dist.metadata["Name"].lower()] = dist
    return list(found.values())


def licence_label(dist: md.Distribution) -> str:
    meta = dist.metadata
    label = meta.get("License-Expression") or ""
    if not label:
        raw = (meta.get("License") or "").strip()
        label = raw.splitlines()[0][:80] if raw else ""
    if not label:
        classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []]
        label = ", ".join(c for c in classifiers if "License" in c or "GPL" in c) or ""
    return label


def copy_distribution(dist: md.Distribution, out: Path) -> tuple[str, list[str]]:
    name, version = dist.metadata["Name"], dist.version
    target = out / "python" / f"{name}-{version}"
    copied = []
    for file in dist.files or []:
        if LICENSE_NAME.search(str(file)) and ".dist-info" in str(file).split("/")[0]:
            source = Path(str(file.locate()))
            if source.is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target / source.name)
                copied.append(source.name)
    return f"{name} {version}", copied


def system_packages(bundle: Path) -> dict[str, list[str]]:
    """Debian package -> bundled libraries taken from the system."""
    libs = [p.name for p in (bundle / "_internal").glob("lib*.so*") if not p.is_symlink()]
    paths = {}
    for lib in libs:
        for directory in SYSTEM_DIRS:
            if (Path(directory) / lib).exists():
                paths[str(Path(directory) / lib)] = lib
    if not paths or shutil.which("dpkg") is None:
        return {}
    result = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True)
    owners: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        package, _, path = line.partition(": ")
        lib = paths.get(path.strip())
        if lib:
            owners.setdefault(package.split(":")[0], []).append(lib)
    return owners


def notice_values() -> dict[str, str]:
    from nbdesk import __version__

    try:
        from PySide6.QtCore import qVersion

        qt = qVersion()
    except ImportError:
        qt = "(not bundled)"
    return {
        "nbdesk_version": __version__,
        "pyside_version": md.version("PySide6") if _installed("PySide6") else "(none)",
        "qt_version": qt,
    }


def _installed(name: str) -> bool:
    try:
        md.distribution(name)
    except md.PackageNotFoundError:
        return False
    return True


def collect(bundle: Path, pyz_toc: Path) -> int:
    out = bundle / "licenses"
    shutil.rmtree(out, ignore_errors=True)
    (out / "qt").mkdir(parents=True)
    values = notice_values()
    for notice in sorted(NOTICES.iterdir()):
        text = notice.read_text()
        if notice.name.endswith("NOTICE.txt") or notice.name == "SOURCE-OFFER.txt":
            text = text.format(**values)
        (out / "qt" / notice.name).write_text(text)

    index = [
        "nbdesk bundles the software below. Each entry names the licence its metadata",
        "declares and the folder holding its licence files.",
        "",
        "nbdesk itself: BSD-3-Clause.",
        f"Qt {values['qt_version']}, Qt WebEngine and PySide6 {values['pyside_version']}: "
        "LGPL-3.0, see qt/ (QT-NOTICE.txt, CHROMIUM-NOTICE.txt, SOURCE-OFFER.txt).",
    ]
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.exists():
        (out / "python").mkdir(exist_ok=True)
        shutil.copyfile(python_licence, out / "python" / "Python-LICENSE.txt")
        index.append(f"Python {sys.version.split()[0]}: PSF-2.0, see python/Python-LICENSE.txt.")
    index += ["", "Python packages (python/<name>-<version>/):"]
    missing = []
    for dist in bundled_distributions(bundled_top_names(bundle, pyz_toc)):
        title, files = copy_distribution(dist, out)
        label = licence_label(dist)
        if dist.metadata["Name"].lower().startswith(("pyside6", "shiboken6")):
            label = label or "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"
            files = files or ["see qt/"]
        if not files and not label:
            missing.append(title)
        index.append(f"  {title}: {label or '?'} [{', '.join(files) or 'no licence file'}]")
    owners = system_packages(bundle)
    if owners:
        index += ["", "System libraries (system/<Debian package>/copyright):"]
        for package, libs in sorted(owners.items()):
            copyright_file = Path("/usr/share/doc") / package / "copyright"
            if copyright_file.exists():
                (out / "system" / package).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(copyright_file, out / "system" / package / "copyright")
            index.append(f"  {package}: {', '.join(sorted(libs))}")
    (out / "README.txt").write_text("\n".join(index) + "\n")
    for title in missing:
        print(f"no licence found for {title}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(collect(Path(sys.argv[1]), Path(sys.argv[2])))

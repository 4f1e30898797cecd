"""File → Open Recent's list: newest first, each notebook once, at most ten, private,
the gone ones pruned, and an unreadable list kept aside rather than overwritten."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from nbdesk.daemon.home.config import Home
from nbdesk.desktop.menus import NO_RECENT, RECENT_TITLE, build_menus
from nbdesk.desktop.recent import LIMIT, RecentNotebook, RecentNotebooks


def notebook(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("{}")
    return path


@pytest.fixture
def recent(tmp_path: Path) -> RecentNotebooks:
    home = tmp_path / "home"
    home.mkdir()
    return RecentNotebooks(Home(home))


def test_newest_first_once_each_with_its_folder(recent: RecentNotebooks, tmp_path: Path) -> None:
    a = notebook(tmp_path / "one", "a.ipynb")
    b = notebook(tmp_path / "two", "b.ipynb")
    recent.add(a)
    recent.add(b)
    recent.add(tmp_path / "one" / ".." / "one" / "a.ipynb")  # the same file, spelled otherwise
    assert [e.path for e in recent.entries()] == [a, b]
    assert recent.entries()[1].folder == tmp_path / "two"
    assert recent.entries()[0].title == f"a.ipynb  ({tmp_path / 'one'})"
    assert stat.S_IMODE(recent.file.stat().st_mode) == 0o600


def test_keeps_the_last_ten(recent: RecentNotebooks, tmp_path: Path) -> None:
    paths = [notebook(tmp_path, f"n{i}.ipynb") for i in range(LIMIT + 3)]
    for path in paths:
        recent.add(path)
    assert [e.path for e in recent.entries()] == paths[::-1][:LIMIT]


def test_a_gone_notebook_is_pruned(recent: RecentNotebooks, tmp_path: Path) -> None:
    kept = notebook(tmp_path, "kept.ipynb")
    gone = notebook(tmp_path, "gone.ipynb")
    recent.add(kept)
    recent.add(gone)
    gone.unlink()
    assert [e.path for e in recent.entries()] == [kept]
    assert str(gone) not in recent.file.read_text()  # pruned from the file too


@pytest.mark.parametrize("content", ["{not json", '{"notebooks": "a.ipynb"}', '{"notebooks": [3]}'])
def test_an_unreadable_list_is_kept_aside(
    recent: RecentNotebooks, tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    recent.file.write_text(content)
    assert recent.entries() == []
    aside = recent.file.with_name("recent.json.unreadable")
    assert aside.read_text() == content  # nothing the user had is lost
    assert "moved it to" in caplog.text and str(aside) in caplog.text
    path = notebook(tmp_path, "new.ipynb")
    recent.add(path)
    assert [e.path for e in recent.entries()] == [path]


def test_the_file_menu_lists_them_after_open(tmp_path: Path) -> None:
    path = notebook(tmp_path / "work", "report.ipynb")
    opened: list[Path] = []
    menus = build_menus(lambda _action: None, [RecentNotebook(path)], opened.append)
    file_menu = menus[0]
    titles = [getattr(item, "title", None) for item in file_menu.items]
    assert titles.index(RECENT_TITLE) == titles.index("Open…  Ctrl+O") + 1
    submenu = file_menu.items[titles.index(RECENT_TITLE)]
    assert [item.title for item in submenu.items] == [f"report.ipynb  ({tmp_path / 'work'})"]
    submenu.items[0].function()
    assert opened == [path]

    empty = build_menus(lambda _action: None)[0]
    submenu = next(item for item in empty.items if getattr(item, "title", None) == RECENT_TITLE)
    assert [item.title for item in submenu.items] == [NO_RECENT]

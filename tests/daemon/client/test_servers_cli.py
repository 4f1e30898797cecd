"""`nbdesk server add|list|remove`: tokens from a file, a variable or stdin (never argv),
a private file, and the URLs nbdesk refuses with what to do instead."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import nbdesk_cli


def nbdesk(home: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "NBDESK_HOME": str(home), **env}
    return nbdesk_cli(environ, "server", *args, stdin=stdin, timeout=60)


def stored(home: Path) -> dict[str, dict]:
    return {s["name"]: s for s in json.loads((home / "servers.json").read_text())["servers"]}


def test_tokens_come_from_a_file_a_variable_or_stdin(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    assert (
        nbdesk(
            tmp_path, "add", "a", "https://a.example.org", "--token-file", str(token_file)
        ).returncode
        == 0
    )
    assert (
        nbdesk(
            tmp_path, "add", "b", "https://b.example.org/", NBDESK_SERVER_TOKEN="from-env"
        ).returncode
        == 0
    )
    assert (
        nbdesk(
            tmp_path,
            "add",
            "c",
            "https://c.example.org",
            "--token-env",
            "MY_TOKEN",
            MY_TOKEN="mine",
        ).returncode
        == 0
    )
    assert nbdesk(tmp_path, "add", "d", "http://127.0.0.1:8888", stdin="typed\n").returncode == 0
    servers = stored(tmp_path)
    assert {name: s["token"] for name, s in servers.items()} == {
        "a": "from-file",
        "b": "from-env",
        "c": "mine",
        "d": "typed",
    }
    assert servers["b"]["url"] == "https://b.example.org"
    assert (tmp_path / "servers.json").stat().st_mode & 0o777 == 0o600
    listed = nbdesk(tmp_path, "list")
    assert listed.returncode == 0
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["a", "b", "c", "d"]
    assert not any(token in listed.stdout for token in ("from-file", "from-env", "mine", "typed"))
    assert nbdesk(tmp_path, "remove", "b").returncode == 0
    assert sorted(stored(tmp_path)) == ["a", "c", "d"]


def test_there_is_no_token_argument(tmp_path: Path) -> None:
    result = nbdesk(tmp_path, "add", "a", "https://a.example.org", "--token", "secret")
    assert result.returncode == 2 and "never taken from the command line" in result.stderr
    assert not (tmp_path / "servers.json").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "far", "http://gpu.example.org:8888"), "--insecure"),
        (("add", "q", "https://a.example.org/?token=abc"), "base URL"),
        (("add", "bad name", "https://a.example.org"), "cannot name a server"),
        (("add", "x", "ftp://a.example.org"), "not a server URL"),
        (("remove", "nope"), "nbdesk server add nope"),
        (("add", "f", "https://a.example.org", "--token-file", "/no/such/file"), "/no/such/file"),
        (
            ("add", "v", "https://a.example.org", "--token-env", "UNSET_TOKEN_VAR"),
            "UNSET_TOKEN_VAR",
        ),
    ],
)
def test_refusals_say_what_to_do_and_store_nothing(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    result = nbdesk(tmp_path, *args)
    assert result.returncode == 2
    assert says in result.stderr
    assert not (tmp_path / "servers.json").exists()


def test_insecure_allows_plain_http_to_another_machine(tmp_path: Path) -> None:
    result = nbdesk(
        tmp_path, "add", "far", "http://gpu.example.org:8888", "--insecure", stdin="t\n"
    )
    assert result.returncode == 0
    assert stored(tmp_path)["far"]["insecure"] is True
    assert "(insecure)" in nbdesk(tmp_path, "list").stdout

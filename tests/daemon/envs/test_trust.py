"""Trust without a daemon: the key, the signature over the normalised dependency list, the
remembered approvals, the typosquat flags and the requirement checks, on real files in a
temporary home."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from nbdesk.daemon.doc.dependencies import declared_dependencies
from nbdesk.daemon.doc.requirements import check_requirement
from nbdesk.daemon.envs import typosquat
from nbdesk.daemon.envs.trust import Trust
from nbdesk.daemon.envs.trust_key import TrustKey
from nbdesk.daemon.wire.enums import TrustStatus
from nbdesk.daemon.wire.errors import EnvError, ErrorCode

Metadata = dict[str, object]


def getter(metadata: Metadata):  # type: ignore[no-untyped-def]
    raw = {key: json.dumps(value) for key, value in metadata.items()}
    return raw.get


def with_deps(deps: list[str], **nbdesk: object) -> Metadata:
    return {"nbdesk": {"uv": {"dependencies": deps}, **nbdesk}}


def signed(trust: Trust, metadata: Metadata) -> Metadata:
    return {**metadata, "nbdesk": json.loads(trust.signed(getter(metadata)))}


def test_the_key_is_created_once_private_to_the_user(tmp_path: Path) -> None:
    key = TrustKey(tmp_path / "trust")
    signature = key.sign("abc")
    assert len(signature) == 64
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.folder.stat().st_mode) == 0o700
    again = TrustKey(tmp_path / "trust")
    assert again.sign("abc") == signature, "the same key on the next start"
    assert again.verify("abc", signature) and not again.verify("abd", signature)


@pytest.mark.parametrize("damage", ["short", "readable"])
def test_a_damaged_or_exposed_key_is_replaced_and_old_signatures_stop_verifying(
    tmp_path: Path, damage: str
) -> None:
    key = TrustKey(tmp_path / "trust")
    signature = key.sign("abc")
    if damage == "short":
        key.path.write_bytes(b"x" * 5)
    else:
        os.chmod(key.path, 0o644)
    replaced = TrustKey(tmp_path / "trust")
    assert not replaced.verify("abc", signature)
    assert stat.S_IMODE(replaced.path.stat().st_mode) == 0o600
    assert len(replaced.path.read_bytes()) == 32


def test_signature_covers_the_dependencies_only(tmp_path: Path) -> None:
    trust = Trust(tmp_path)
    metadata = signed(trust, with_deps(["six", "iniconfig"]))
    assert trust.assess(getter(metadata)).status == TrustStatus.TRUSTED
    # Other metadata (the kernelspec, code lives in cells) and order or spacing: still trusted.
    metadata["kernelspec"] = {"name": "python3"}
    metadata["nbdesk"]["uv"]["dependencies"] = [" iniconfig", "six", "six"]  # type: ignore[index]
    assert trust.assess(getter(metadata)).status == TrustStatus.TRUSTED
    # A dependency changed: the signature no longer covers it.
    metadata["nbdesk"]["uv"]["dependencies"] = ["six", "iniconfig", "requests"]  # type: ignore[index]
    state = trust.assess(getter(metadata))
    assert state.status == TrustStatus.SIGNATURE_INVALID
    assert state.dependencies == ["six", "iniconfig", "requests"]


def test_conda_packages_and_channels_are_part_of_the_digest(tmp_path: Path) -> None:
    trust = Trust(tmp_path)
    conda = {"dependencies": ["numpy"], "channels": ["conda-forge"]}
    metadata = signed(trust, {"nbdesk": {"conda": conda}})
    assert trust.assess(getter(metadata)).status == TrustStatus.TRUSTED
    metadata["nbdesk"]["conda"]["channels"] = ["https://evil.example/channel"]  # type: ignore[index]
    assert trust.assess(getter(metadata)).status == TrustStatus.SIGNATURE_INVALID


@pytest.mark.parametrize(
    "signature", ["", "ab" * 31, "ab" * 33, "zz" * 32, 42, None, ["x"]], ids=repr
)
def test_a_signature_of_the_wrong_shape_is_invalid_not_a_crash(
    tmp_path: Path, signature: object
) -> None:
    trust = Trust(tmp_path)
    state = trust.assess(getter(with_deps(["six"], trust={"signature": signature})))
    assert state.status == TrustStatus.SIGNATURE_INVALID
    assert trust.approval(getter(with_deps(["six"], trust={"signature": signature}))) is None


def test_a_signature_from_another_machine_does_not_verify(tmp_path: Path) -> None:
    theirs = Trust(tmp_path / "theirs")
    metadata = signed(theirs, with_deps(["six"]))
    ours = Trust(tmp_path / "ours")
    assert ours.assess(getter(metadata)).status == TrustStatus.SIGNATURE_INVALID
    assert theirs.assess(getter(metadata)).status == TrustStatus.TRUSTED


def test_approved_packages_are_remembered_across_notebooks(tmp_path: Path) -> None:
    trust = Trust(tmp_path)
    signed(trust, with_deps(["pandas>=2", "NumPy"]))
    again = Trust(tmp_path)  # the next daemon
    assert again.assess(getter(with_deps(["numpy", "pandas"]))).status == TrustStatus.TRUSTED
    assert again.approval(getter(with_deps(["numpy"]))) is not None
    state = again.assess(getter(with_deps(["numpy", "scipy"])))
    assert state.status == TrustStatus.UNTRUSTED, "one package never approved: ask"
    (tmp_path / "approved.json").write_text("{not json")
    assert Trust(tmp_path).assess(getter(with_deps(["numpy"]))).status == TrustStatus.UNTRUSTED


def test_building_needs_an_approval_for_exactly_that_list(tmp_path: Path) -> None:
    trust = Trust(tmp_path)
    approval = trust.approval(getter(signed(trust, with_deps(["six"]))))
    assert approval is not None
    trust.require(approval, ("six",))
    for approval_given, deps in [(None, ("six",)), (approval, ("six", "requests"))]:
        with pytest.raises(EnvError) as refused:
            trust.require(approval_given, deps)
        assert refused.value.code == ErrorCode.UNTRUSTED
        assert "nbdesk trust" in refused.value.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("--index-url https://evil.example/simple", "installer option"),
        ("-e ./src", "installer option"),
        ("https://example.com/six-1.0.tar.gz", "place to download from"),
        ("six @ https://example.com/six.whl", "place to download from"),
        ("git+https://github.com/x/y", "place to download from"),
        ("./vendor/six", "path"),
        ("/tmp/six-1.0-py3-none-any.whl", "path"),
        ("six-1.0.tar.gz", "path"),
        ("six\n--extra-index-url x", "not a package requirement"),
        ("six ==", "not a requirement"),
        ("", "empty"),
    ],
)
def test_a_dependency_that_is_not_a_package_is_refused_with_why(text: str, reason: str) -> None:
    with pytest.raises(EnvError) as refused:
        check_requirement(text)
    assert refused.value.code == ErrorCode.BAD_DEPENDENCY
    assert reason in refused.value.message
    if text:  # (blank entries in a notebook's list are dropped, not refused)
        with pytest.raises(EnvError, match=reason):
            declared_dependencies(getter(with_deps(["six", text])))


@pytest.mark.parametrize(
    "text",
    [
        "six",
        "numpy>=1.26",
        "pandas[excel]>=2.1,<3",
        "requests (>=2.31)",
        "tomli; python_version < '3.11'",
    ],
)
def test_requirements_are_accepted(text: str) -> None:
    assert check_requirement(f"  {text} ") == text


def test_hand_edited_metadata_of_the_wrong_shape_says_what_is_wrong(tmp_path: Path) -> None:
    trust = Trust(tmp_path)
    for bad in ({"uv": {"dependencies": "six"}}, {"uv": {"dependencies": [1, 2]}}):
        state = trust.assess(getter({"nbdesk": bad}))
        assert state.status == TrustStatus.UNTRUSTED and state.dependencies == []
        assert "must be a list of strings" in state.flagged[0]
        with pytest.raises(EnvError) as refused:
            trust.signed(getter({"nbdesk": bad}))
        assert refused.value.code == ErrorCode.BAD_DEPENDENCY
    # Unreadable JSON under a key is skipped, never guessed at.
    assert trust.assess({"nbdesk": "{oops"}.get).status == TrustStatus.NO_DEPENDENCIES
    with pytest.raises(EnvError, match="not a JSON object"):
        trust.signed(getter({"nbdesk": ["a list"]}), ["six"])


def test_names_close_to_popular_ones_are_flagged() -> None:
    flags = typosquat.flags(["reqeusts", "six", "numpyy>=1", "pandas", "matplotlb", "zzzzzzzq"])
    assert [flag.split()[0] for flag in flags] == ["reqeusts", "numpyy", "matplotlb"]
    assert "requests" in flags[0] and "numpy" in flags[1] and "matplotlib" in flags[2]
    assert typosquat.close_to("reqests") == ("requests", 1)
    assert typosquat.close_to("reqeust") == ("requests", 2)
    assert typosquat.close_to("rqeuests") == ("requests", 1)
    assert typosquat.close_to("pndsa") is None, "two edits on a short name is not close"
    assert typosquat.close_to("six") is None

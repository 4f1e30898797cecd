"""The per-user key that signs approved dependency lists (HMAC-SHA256).

The key is 32 random bytes in `trust/key` in the daemon's home, created on first use with
mode 0600 in a 0700 folder, so another user cannot forge an approval. A key that is
unreadable, of the wrong size, or readable by others is replaced by a new one: every
earlier signature then stops verifying, which asks the user again rather than trusting
something another user could have written. Anyone running as this user can read it,
which is the same power as running nbdesk: this protects against notebooks that come
from elsewhere, not against the user's own programs.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)
KEY_BYTES = 32
SIGNATURE_HEX = 64  # an HMAC-SHA256, in hex


class TrustKey:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "key"
        self._key: bytes | None = None

    def __repr__(self) -> str:
        return f"TrustKey({self.path}, loaded={self._key is not None})"

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = self._load_or_create()
        return self._key

    def sign(self, digest: str) -> str:
        return hmac.new(self.key, digest.encode(), hashlib.sha256).hexdigest()

    def verify(self, digest: str, signature: str) -> bool:
        """Whether `signature` is this key's for `digest` (constant time)."""
        if len(signature) != SIGNATURE_HEX:
            return False
        return hmac.compare_digest(self.sign(digest), signature.lower())

    def _load_or_create(self) -> bytes:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        for _ in range(3):
            key = self._read()
            if key is not None:
                return key
            if self._create():
                log.info("created the trust key %s", self.path)
        raise OSError(f"cannot create the trust key {self.path}")

    def _read(self) -> bytes | None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("the trust key %s cannot be read (%s): replacing it", self.path, exc)
            self._discard()
            return None
        try:
            info = os.fstat(fd)
            data = os.read(fd, KEY_BYTES + 1)
        finally:
            os.close(fd)
        private = stat.S_IMODE(info.st_mode) & 0o077 == 0 and info.st_uid == os.getuid()
        if len(data) != KEY_BYTES or not private:
            log.warning(
                "the trust key %s is %s: replacing it (notebooks approved with it ask again)",
                self.path,
                "readable by others" if not private else f"{len(data)} bytes long",
            )
            self._discard()
            return None
        return data

    def _create(self) -> bool:
        """Write a new key beside it and link it into place: of two racing creators one
        wins and the other reads the winner's."""
        tmp = self.folder / f".key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, self.path)
            return True
        except FileExistsError:
            return False
        finally:
            tmp.unlink()

    def _discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

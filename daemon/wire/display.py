"""How every window shows notebooks: the user's display settings (a wire type shared by
the preferences reply, the request that changes them and the broadcast that applies
them live)."""

from __future__ import annotations

import msgspec

from nbdesk.daemon.wire.enums import Theme

FONT_SIZES = range(8, 41)  # the editor's font size in CSS pixels, inclusive bounds 8 and 40


class DisplaySettings(msgspec.Struct, kw_only=True):
    line_numbers: bool = False
    font_size: int = 13
    theme: Theme = Theme.SYSTEM

#!/bin/sh
# /usr/bin/nbdesk: the app installed in /opt/nbdesk (a wrapper, not a symlink, so the
# frozen executable finds its _internal folder and the daemon it spawns is itself).
exec /opt/nbdesk/nbdesk "$@"

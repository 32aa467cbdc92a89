#!/usr/bin/env bash
# The GraphiQL browser tests drive Debian's headless Chromium. Install it when we can (root + apt);
# otherwise say how, and those tests skip with the same message.
set -uo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  printf '\033[1m==> Installing Chromium for the browser tests (apt-get install chromium)\033[0m\n' >&2
  if apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
fi
echo "note: chromium is not installed (Debian/Ubuntu: sudo apt-get install chromium); the browser tests will be skipped." >&2
exit 0

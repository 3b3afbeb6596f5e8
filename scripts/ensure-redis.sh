#!/usr/bin/env bash
# The Redis store's tests start their own redis-server on a free loopback port. This makes
# sure the binary is there: Debian's package when missing and running as root, otherwise a
# stop with the exact command to run. No Redis test is ever skipped.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "zhuihui: installing Debian's redis-server for the Redis store tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q redis-server >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q redis-server >/dev/null
  fi
  # The package may start a system server on 6379; the tests never use it.
  command -v redis-server >/dev/null 2>&1 && exit 0
fi
echo "zhuihui: the tests need redis-server. Install it with: sudo apt-get install -y redis-server" >&2
exit 1

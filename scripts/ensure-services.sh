#!/usr/bin/env bash
# Make sure what the tests need is on this machine: Debian's chromium (browser tests) and a Redis server
# on 127.0.0.1:6379 (store tests). Installs or starts only what is missing; safe to run repeatedly.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package) for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# The Redis store tests also start servers of their own (a 3-master cluster, a Sentinel, fault instances)
# and the Redis benchmark runs redis-benchmark: they need the binaries even when REDIS_URL is set.
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
fi

if [ -z "${REDIS_URL:-}" ]; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    if ! command -v redis-server >/dev/null; then
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
    fi
    echo "starting redis-server on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    sleep 1
  fi
fi

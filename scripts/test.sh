#!/usr/bin/env bash
# Runs the whole test suite, first installing what the tests need on a fresh
# Debian machine (python3-pika for the pika tests, python3-aio-pika for the
# aio-pika client edge cases, python3-celery for the Celery end-to-end test). Deno itself comes from the README's command
# (npx deno@2.9.6 task test). Prints a closing "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
/usr/bin/python3 -c 'import pika' 2>/dev/null || need_apt+=(python3-pika)
/usr/bin/python3 -c 'import aio_pika' 2>/dev/null || need_apt+=(python3-aio-pika)
/usr/bin/python3 -c 'import celery' 2>/dev/null || need_apt+=(python3-celery)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v openssl >/dev/null || need_apt+=(openssl)
[ -x /usr/bin/prometheus ] || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
deno test -A --parallel "$@" tests/ 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -n 1 || true)
passed=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"

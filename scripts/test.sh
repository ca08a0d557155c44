#!/usr/bin/env bash
# Runs the whole test suite, first installing what the tests need on a fresh
# Debian machine (python3-pika for the pika tests, python3-aio-pika for the
# aio-pika client edge cases, python3-celery for the Celery end-to-end test,
# rabbitmq-server for the tests that compare with RabbitMQ, prometheus for the
# dashboard-query test). Deno itself comes from the README's command
# (npx deno@2.9.6 task test). Starts one private RabbitMQ node for the whole
# run (scripts/test_rabbitmq.ts) and stops it, with its epmd, on every exit
# path. Prints a closing "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
/usr/bin/python3 -c 'import pika' 2>/dev/null || need_apt+=(python3-pika)
/usr/bin/python3 -c 'import aio_pika' 2>/dev/null || need_apt+=(python3-aio-pika)
/usr/bin/python3 -c 'import celery' 2>/dev/null || need_apt+=(python3-celery)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v openssl >/dev/null || need_apt+=(openssl)
[ -x /usr/bin/prometheus ] || need_apt+=(prometheus)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need_apt+=(rabbitmq-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  # Debian's maintainer scripts would start the system's rabbitmq-server (and its
  # epmd on 4369); a policy-rc.d that forbids starting services keeps the install
  # from leaving anything running. The tests start their own private node.
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  set +e
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  install_status=$?
  set -e
  [ -n "$own_policy" ] && $SUDO rm -f "$policy"
  [ "$install_status" -eq 0 ] || exit "$install_status"
fi

log=$(mktemp)
rabbit_env=$(mktemp -u)
rabbit_pid=
cleanup() {
  if [ -n "$rabbit_pid" ]; then
    kill -TERM "$rabbit_pid" 2>/dev/null || true
    wait "$rabbit_pid" 2>/dev/null || true
  fi
  rm -f "$log" "$rabbit_env" "$rabbit_env.tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

deno run -A scripts/test_rabbitmq.ts --env-file "$rabbit_env" &
rabbit_pid=$!
while [ ! -e "$rabbit_env" ]; do
  if ! kill -0 "$rabbit_pid" 2>/dev/null; then
    echo "the RabbitMQ node for the differential tests did not start" >&2
    rabbit_pid=
    exit 1
  fi
  sleep 0.2
done
# shellcheck disable=SC1090
. "$rabbit_env"

set +e
deno test -A --parallel "$@" tests/ 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -n 1 || true)
passed=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"

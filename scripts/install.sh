#!/usr/bin/env bash
# Installs Warren as a system service:
#
#   /usr/local/bin/warren          the program: the compiled dist/warren when
#                                  present, else a launcher running
#                                  `deno run -A /opt/warren/warren.js`
#   /opt/warren/warren.js          the bundle (deno task bundle)
#   /usr/local/bin/rabbitmqctl     runs `warren ctl`
#   /etc/warren/rabbitmq.conf      RabbitMQ's defaults, commented out (an
#                                  existing file is kept)
#   /etc/systemd/system/warren.service
#   /var/lib/warren                the data dir, owned by the `warren` user
#
# Usage: sudo scripts/install.sh [--destdir DIR] [--deno PATH] [--bundle FILE]
#
#   --destdir DIR  install under DIR instead of / (also DESTDIR=DIR), for
#                  packaging and tests: no user is created, no ownership is
#                  changed and systemd is not told
#   --deno PATH    the deno the launcher runs (default: `deno` on PATH)
#   --bundle FILE  install this bundle, even when dist/warren exists
#
# Then: systemctl enable --now warren
set -euo pipefail
cd "$(dirname "$0")/.."

destdir=${DESTDIR:-}
deno_bin=
bundle=
while [ $# -gt 0 ]; do
  case "$1" in
    --destdir) destdir=$2; shift 2 ;;
    --deno) deno_bin=$2; shift 2 ;;
    --bundle) bundle=$2; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
destdir=${destdir%/}

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo), or pass --destdir DIR to install under DIR" >&2
  exit 1
fi

say() { echo "install.sh: $*"; }

# --- the program ---------------------------------------------------------
compiled=
if [ -z "$bundle" ] && [ -x dist/warren ]; then
  compiled=dist/warren
else
  bundle=${bundle:-dist/warren.js}
  if [ -z "$deno_bin" ]; then deno_bin=$(command -v deno || true); fi
  if [ -z "$deno_bin" ] || [ ! -x "$deno_bin" ]; then
    echo "install.sh: deno not found; pass --deno /path/to/deno (the launcher runs the bundle with it)" >&2
    exit 1
  fi
  case "$deno_bin" in
    /*) ;;
    *) deno_bin="$(cd "$(dirname "$deno_bin")" && pwd)/$(basename "$deno_bin")" ;;
  esac
  case "$deno_bin" in
    /home/* | /root/*)
      say "warning: $deno_bin is under /home or /root, which warren.service cannot see" \
        "(ProtectHome=true); install deno elsewhere (e.g. /usr/local/bin) and pass --deno" ;;
  esac
  if [ ! -f "$bundle" ]; then
    if [ "$bundle" = dist/warren.js ]; then
      say "building $bundle"
      "$deno_bin" bundle -q -o dist/warren.js main.ts
    else
      echo "install.sh: no bundle at $bundle" >&2
      exit 1
    fi
  fi
fi

install -d -m 755 "$destdir/usr/local/bin" "$destdir/opt/warren"
if [ -n "$compiled" ]; then
  install -m 755 "$compiled" "$destdir/usr/local/bin/warren"
  say "installed the compiled program as /usr/local/bin/warren"
else
  install -m 644 "$bundle" "$destdir/opt/warren/warren.js"
  # --no-config: a deno.json in the caller's directory must not change how
  # the installed program runs.
  cat >"$destdir/usr/local/bin/warren.tmp" <<EOF
#!/bin/sh
# Warren launcher written by scripts/install.sh.
exec "$deno_bin" run -A --no-config /opt/warren/warren.js "\$@"
EOF
  chmod 755 "$destdir/usr/local/bin/warren.tmp"
  mv "$destdir/usr/local/bin/warren.tmp" "$destdir/usr/local/bin/warren"
  say "installed /opt/warren/warren.js and the launcher /usr/local/bin/warren (deno: $deno_bin)"
fi
install -m 644 README.md "$destdir/opt/warren/README.md"
install -m 755 scripts/rabbitmqctl "$destdir/usr/local/bin/rabbitmqctl"

# --- the user and the data dir -------------------------------------------
if [ -z "$destdir" ] && ! id warren >/dev/null 2>&1; then
  nologin=$(command -v nologin || echo /usr/sbin/nologin)
  useradd --system --user-group --home-dir /var/lib/warren --no-create-home \
    --shell "$nologin" --comment "Warren message broker" warren
  say "created the system user warren"
fi
install -d -m 750 "$destdir/var/lib/warren"
if [ -z "$destdir" ]; then chown warren:warren /var/lib/warren; fi

# --- the config file -----------------------------------------------------
install -d -m 755 "$destdir/etc/warren"
conf="$destdir/etc/warren/rabbitmq.conf"
if [ -e "$conf" ]; then
  say "kept the existing /etc/warren/rabbitmq.conf"
else
  cat >"$conf.tmp" <<'EOF'
# Warren's configuration, in RabbitMQ's rabbitmq.conf format: one
# setting per line as key = value; `#` starts a comment. Lines starting with a
# single `#` show the default; remove the `#` to change one. Lines starting
# with `##` are examples. Environment variables (RABBITMQ_NODE_PORT, ...)
# and command-line flags override this file. A key RabbitMQ does not know
# either, or a bad value, stops start-up with `file:line: key: reason`;
# RabbitMQ's other keys are accepted, each logged as having no effect.

## The cluster name shown by the management API and sent to clients.
# cluster_name = warren

## Where durable state lives (the SQLite database).
warren.data_dir = /var/lib/warren
## full: fsync before each publisher confirm; normal: faster, survives a
## process crash but not a power loss.
# warren.sync = full

## Listeners. A port alone listens on every interface; ip:port on one.
# listeners.tcp.default = 5672
## listeners.tcp.default = 127.0.0.1:5672
## More listeners: any other name, e.g.
## listeners.tcp.local6 = [::1]:5672
# tcp_listen_options.nodelay = true
# tcp_listen_options.keepalive = false
## TLS (amqps); needs ssl_options.certfile and ssl_options.keyfile.
## listeners.ssl.default = 5671
## ssl_options.cacertfile = /etc/warren/ca.pem
## ssl_options.certfile = /etc/warren/server.pem
## ssl_options.keyfile = /etc/warren/server.key
# ssl_options.verify = verify_none
# ssl_options.fail_if_no_peer_cert = false

## Management HTTP API and web UI.
# management.tcp.ip = 0.0.0.0
# management.tcp.port = 15672

## The user and vhost created on first start (an empty data dir).
# default_user = guest
# default_pass = guest
# default_vhost = /
# default_user_tags.administrator = true
# default_permissions.configure = .*
# default_permissions.write = .*
# default_permissions.read = .*
## Users that may connect only from localhost; `none` lifts the rule.
# loopback_users.guest = true
## loopback_users = none

## Protocol limits offered to clients in connection.tune.
# heartbeat = 60
# frame_max = 131072
# channel_max = 2047
# max_message_size = 134217728

## Resource alarms: publishers are blocked above the memory watermark
## (a fraction of RAM, or an absolute size such as 2GB or 1536MiB) or
## below the free disk limit.
# vm_memory_high_watermark.relative = 0.4
## vm_memory_high_watermark.absolute = 2GB
# disk_free_limit.absolute = 50MB

## Logging: one line per event on stdout (the journal), optionally also
## appended to a file (/var/log/warren is writable by the service).
# log.console = true
# log.console.level = info
# log.file = false
## log.file = /var/log/warren/warren.log
# log.file.level = info

## Definitions (users, vhosts, queues, ...) imported at start.
## load_definitions = /etc/warren/definitions.json
EOF
  chmod 640 "$conf.tmp"
  mv "$conf.tmp" "$conf"
  say "wrote /etc/warren/rabbitmq.conf"
fi
if [ -z "$destdir" ]; then chgrp warren "$conf"; fi

# --- systemd -------------------------------------------------------------
install -d -m 755 "$destdir/etc/systemd/system"
install -m 644 scripts/warren.service "$destdir/etc/systemd/system/warren.service"
if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  say "installed warren.service; start it with: systemctl enable --now warren"
else
  say "installed warren.service (systemd not notified)"
fi

#!/usr/bin/env bash
# Starts and stops a Docker engine for the container tests without touching the machine's network settings.
#
#   scripts/docker-engine.sh start    installs Debian's docker.io when dockerd is missing (root), starts
#                                     dockerd unless an engine already answers, waits until it does
#   scripts/docker-engine.sh stop     stops the engine only if `start` started it, and removes its bridge
#
# The engine runs with --iptables=false --ip-forward=false: no firewall rules, the FORWARD policy and
# net.ipv4.ip_forward stay as they were; published ports still work through the userland proxy, so
# clients reach containers on 127.0.0.1 only. Its log is $TCDB_DOCKER_STATE/dockerd.log
# (default /var/tmp/tcdb-docker). Exit 2 with the reason when the engine cannot start.
set -euo pipefail

state="${TCDB_DOCKER_STATE:-/var/tmp/tcdb-docker}"
pidfile="$state/dockerd.pid"
log="$state/dockerd.log"

say() { echo "docker-engine: $*" >&2; }
die() { echo "docker-engine: error: $*" >&2; exit 2; }
answers() { docker info >/dev/null 2>&1; }

start() {
  if command -v docker >/dev/null && answers; then
    say "a Docker engine already answers; using it"
    return
  fi
  if ! command -v dockerd >/dev/null; then
    [ "$(id -u)" -eq 0 ] || die "no Docker engine answers and dockerd is not installed (install docker.io as root)"
    say "apt-get install docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends docker.io >/dev/null || die "apt-get install docker.io failed"
  fi
  [ "$(id -u)" -eq 0 ] || die "no Docker engine answers; starting dockerd needs root"
  mkdir -p "$state"
  say "starting dockerd --iptables=false --ip-forward=false (log: $log)"
  # setsid: the engine must not die with this shell's process group, and must not hold its output open.
  setsid dockerd --iptables=false --ip6tables=false --ip-forward=false --pidfile "$pidfile" \
    >"$log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    if answers; then
      say "engine up ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"
      return
    fi
    if ! kill -0 $! 2>/dev/null && ! [ -s "$pidfile" ]; then
      tail -n 15 "$log" >&2 || true
      die "dockerd exited during start (log: $log)"
    fi
    sleep 0.5
  done
  tail -n 15 "$log" >&2 || true
  die "dockerd did not answer within 60 s (log: $log)"
}

stop() {
  [ -s "$pidfile" ] || { say "no engine started by this script; nothing to stop"; return; }
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping dockerd (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { say "dockerd did not stop in 30 s; killing it"; kill -9 "$pid" || true; }
  fi
  rm -f "$pidfile"
  # The engine leaves its bridge behind; the machine had none before.
  if ip link show docker0 >/dev/null 2>&1; then ip link delete docker0 || true; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/docker-engine.sh start|stop" >&2; exit 2 ;;
esac

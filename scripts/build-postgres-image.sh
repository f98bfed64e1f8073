#!/usr/bin/env bash
# Builds a local PostgreSQL Docker image from Debian packages, for machines that cannot pull images from a
# public registry (TCDB_SERVER=docker and `tcdb verify --server docker` use it like the official image).
#
#   scripts/build-postgres-image.sh [IMAGE]     (default IMAGE: postgres:15; needs root, debootstrap, docker)
#   DEBIAN_MIRROR=http://...                    the Debian mirror (default: the one apt already uses)
#   DEBIAN_SUITE=bookworm                       the Debian release; its postgresql-<major> package is used
#   PG_MAJOR=15                                 the PostgreSQL major (must be packaged in that release)
#
# The image runs PostgreSQL as the unprivileged user postgres with the en_US.UTF-8 locale generated, and
# its entrypoint behaves like the official image's for what clients rely on: POSTGRES_USER,
# POSTGRES_PASSWORD, POSTGRES_DB and POSTGRES_INITDB_ARGS on first start, a temporary socket-only server
# during initialisation (so pg_isready over TCP means "ready"), listen on all interfaces afterwards, and
# the same log lines. An image of that name that already exists is left alone (idempotent); a build takes
# about two minutes (debootstrap), the import a few seconds.
set -euo pipefail

image="${1:-postgres:${PG_MAJOR:-15}}"
major="${PG_MAJOR:-15}"
suite="${DEBIAN_SUITE:-bookworm}"

say() { echo "build-postgres-image: $*" >&2; }
die() { echo "build-postgres-image: error: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and chroot)"
command -v docker >/dev/null || die "the docker client is missing (apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start one: dockerd --iptables=false &)"
if docker image inspect "$image" >/dev/null 2>&1; then
  say "$image already exists; nothing to do"
  exit 0
fi
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"

mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$( (grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'; \
             grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}') | grep -v security | head -n1 || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

rootfs=$(mktemp -d /var/tmp/tcdb-pg-rootfs.XXXXXX)
cleanup() {
  # debootstrap mounts proc/sys inside the rootfs; never delete through a live mount.
  for m in $(awk -v r="$rootfs" '$2 ~ "^"r {print $2}' /proc/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

say "debootstrap $suite (postgresql-$major, locales) from $mirror"
mkdir -p "$rootfs/etc/postgresql-common"
# No 'main' cluster in the image: the entrypoint creates the data directory on first start.
echo 'create_main_cluster = false' >"$rootfs/etc/postgresql-common/createcluster.conf"
debootstrap --variant=minbase --include="postgresql-$major,locales" "$suite" "$rootfs" "$mirror" \
  >"$rootfs.log" 2>&1 || { tail -n 20 "$rootfs.log" >&2; die "debootstrap failed (full log: $rootfs.log)"; }
rm -f "$rootfs.log"
[ -x "$rootfs/usr/lib/postgresql/$major/bin/postgres" ] || die "postgresql-$major is not packaged in $suite"

say "generating en_US.UTF-8 and writing the entrypoint"
sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$rootfs/etc/locale.gen"
grep -q '^en_US.UTF-8 UTF-8' "$rootfs/etc/locale.gen" || echo 'en_US.UTF-8 UTF-8' >>"$rootfs/etc/locale.gen"
chroot "$rootfs" locale-gen >/dev/null
chroot "$rootfs" locale -a | grep -qix 'en_US.utf8' || die "locale-gen did not produce en_US.UTF-8 in the image"
mkdir -p "$rootfs/var/lib/postgresql/data" "$rootfs/var/run/postgresql"
chroot "$rootfs" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
chmod 700 "$rootfs/var/lib/postgresql/data"

cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
# First start: initdb with the POSTGRES_* settings, create POSTGRES_DB on a socket-only temporary
# server, then run the server for real. Later starts (data directory present) run it directly.
set -euo pipefail
# Like the official image: options alone ("-c fsync=off") are options of postgres; another program runs as is.
first="${1:-postgres}"
[ "${first:0:1}" != "-" ] || set -- postgres "$@"
[ "${1:-postgres}" = "postgres" ] || exec "$@"
[ $# -eq 0 ] || shift
[ "$(id -u)" -ne 0 ] || { echo "docker-entrypoint: refusing to run PostgreSQL as root" >&2; exit 1; }
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != "trust" ]; then
    echo "docker-entrypoint: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as in the official image
  initdb --username="$user" --pwfile="$pwfile" --locale=en_US.UTF-8 --encoding=UTF8 ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"
  method="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  printf '\nhost all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /var/run/postgresql" -w start
  if [ "$db" != "postgres" ]; then
    psql -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$user" -d postgres -q \
      -c "create database \"$db\""
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo
  echo "PostgreSQL init process complete; ready for start up."
  echo
fi
exec postgres -c listen_addresses='*' -k /var/run/postgresql "$@"
ENTRYPOINT
chmod 755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
# Trim what a server never needs (documentation, apt lists, caches).
rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*

say "importing as $image"
tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change "ENV PATH=/usr/lib/postgresql/$major/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV LANG=en_US.UTF-8" \
  --change "ENV PGDATA=/var/lib/postgresql/data" \
  --change "USER postgres" \
  --change "WORKDIR /var/lib/postgresql" \
  --change "EXPOSE 5432" \
  --change "LABEL org.tcdb.image=debian-postgres-$major" \
  --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  - "$image" >/dev/null
say "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1048576}'))"

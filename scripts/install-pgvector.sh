#!/usr/bin/env bash
# Builds pgvector from Debian's source package against the local PostgreSQL server headers
# and installs it. Debian bookworm packages no pgvector for PostgreSQL 15, so we take the
# trixie source package through a throw-away apt configuration (the system's sources are
# left untouched) and compile it; it takes a few seconds. Idempotent: exits early when
# the extension is already installed for this server.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
if ! command -v "$PG_CONFIG" >/dev/null 2>&1 || ! "$PG_CONFIG" --pgxs >/dev/null 2>&1; then
  echo "pgvector: installing postgresql-server-dev for the running server" >&2
  major=$(ls /etc/postgresql | sort -n | tail -1)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-${major}" dpkg-dev >/dev/null
fi

sharedir=$("$PG_CONFIG" --sharedir)
if [ -f "$sharedir/extension/vector.control" ] && [ -f "$("$PG_CONFIG" --pkglibdir)/vector.so" ]; then
  echo "pgvector: already installed in $sharedir"
  exit 0
fi

command -v dpkg-source >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial" "$work/apt/archives/partial"
cat >"$work/apt/sources.list.d/trixie-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
aptopts=(-o "Dir::Etc::sourcelist=/dev/null"
         -o "Dir::Etc::sourceparts=$work/apt/sources.list.d"
         -o "Dir::State::lists=$work/apt/lists"
         -o "Dir::Cache::archives=$work/apt/archives"
         -o "APT::Get::List-Cleanup=0")
apt-get "${aptopts[@]}" -o APT::Sandbox::User=root update -qq
(cd "$work" && apt-get "${aptopts[@]}" -o APT::Sandbox::User=root source -qq --download-only pgvector && dpkg-source -x --no-check ./pgvector_*.dsc src >/dev/null)
make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "pgvector: installed $(grep default_version "$sharedir/extension/vector.control")"

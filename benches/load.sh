#!/usr/bin/env bash
# Load benchmark of the web platform: the demo city on the embedded SQLite (or on PostgreSQL with
# VETIS_DB=postgres://…), `vetis serve` in release mode, and wrk on loopback driving the public
# page, the signed-in dashboard and the indicator API with 50 connections. Prints p50/p99 latency
# and throughput per route.
#
#   bash benches/load.sh [seconds per route, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
command -v wrk >/dev/null || { echo "load: wrk is needed (apt-get install wrk)"; exit 2; }
cargo build --release --quiet
bin=target/release/vetis
# The demo database is kept between runs (loading it takes about 100 s).
work=target/load-bench
mkdir -p "$work"
trap 'kill $server 2>/dev/null || true' EXIT
db=${VETIS_DB:-$work/demo.db}
export VETIS_KEY_FILE=$work/demo.key
if [ ! -e "$work/loaded" ] || [ -n "${VETIS_DB:-}" ]; then
  if [ -z "${VETIS_DB:-}" ]; then rm -f "$db" "$db"-* "$VETIS_KEY_FILE"; fi
  echo "load: loading the demo city into $db (about 100 s)"
  "$bin" --db "$db" demo >/dev/null 2>&1
  touch "$work/loaded"
fi
printf 'Load-Bench-2026!\n' | "$bin" --db "$db" user add load-analyst --role analyst >/dev/null 2>&1 || true
token=$("$bin" --db "$db" user token load-analyst)
port=18080
"$bin" --db "$db" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
cookie=$(curl -si -H 'content-type: application/json' \
  -d '{"username":"load-analyst","password":"Load-Bench-2026!"}' http://127.0.0.1:$port/api/v1/session \
  | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
district=440106
school=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/dashboard?district=$district" | grep -o 'school=[0-9]*' | head -n 1 | cut -d= -f2)

run() { # name, path, header
  local name=$1 path=$2 header=${3:-}
  # Warm up once (the first request computes; later ones are served from the figure cache).
  curl -sf -o /dev/null ${header:+-H "$header"} "http://127.0.0.1:$port$path"
  local out
  out=$(wrk -t2 -c50 -d"${secs}s" --latency ${header:+-H "$header"} "http://127.0.0.1:$port$path")
  local p50 p99 rps errors
  p50=$(echo "$out" | awk '/^ +50%/{print $2}')
  p99=$(echo "$out" | awk '/^ +99%/{print $2}')
  rps=$(echo "$out" | awk '/^Requests\/sec/{print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/{print $5}')
  printf '%-34s p50 %-9s p99 %-9s %10s req/s  non-2xx %s\n' "$name" "$p50" "$p99" "$rps" "${errors:-0}"
}

echo "load: wrk -t2 -c50 -d${secs}s on 127.0.0.1 ($(nproc) cores, $(basename "$db"))"
run "public page /" "/"
run "dashboard (city)" "/dashboard" "Cookie: $cookie"
run "dashboard (district $district)" "/dashboard?district=$district" "Cookie: $cookie"
run "dashboard (school $school)" "/dashboard?school=$school" "Cookie: $cookie"
run "indicator drill-down (city)" "/indicator/secondary_progression_rate" "Cookie: $cookie"
run "api indicators (city)" "/api/v1/indicators?year=2025" "Authorization: Bearer $token"
run "api indicators (school)" "/api/v1/indicators?year=2024&school=$school" "Authorization: Bearer $token"
run "api records (school, page 1)" "/api/v1/records/student?year=2025&school=$school" "Authorization: Bearer $token"

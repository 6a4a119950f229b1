#!/usr/bin/env bash
# Load benchmark of the web platform: the demo city on the embedded SQLite (or on PostgreSQL with
# VETIS_DB=postgres://…), `vetis serve` in release mode, and wrk on loopback driving the public
# page, the signed-in dashboard, the targets and the indicator API with 50 connections, while
# another client signs in all the time (a right password and a wrong one, each every 250 ms, all
# of them checked: the deadline-morning case, which must not make the figures cold). Prints p50/p99 latency,
# throughput and the sign-ins made per route.
#
#   bash benches/load.sh [seconds per route, default 20]
#   VETIS_DB=postgres://…/vetis_national VETIS_KEY_FILE=… LOADED=1 REGION=44 YEAR=2024 bash benches/load.sh 10
#       # a database already loaded (the national set of `NATIONAL=… bash benches/scale.sh`): the
#       # nation's dashboard compares provinces, and REGION's pages are driven as well
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
year=${YEAR:-2025} # the year the records API is asked for
command -v wrk >/dev/null || { echo "load: wrk is needed (apt-get install wrk)"; exit 2; }
cargo build --release --quiet
bin=target/release/vetis
# The demo database is kept between runs (loading it takes about 100 s).
work=target/load-bench
mkdir -p "$work"
trap 'kill $server 2>/dev/null || true' EXIT
db=${VETIS_DB:-$work/demo.db}
export VETIS_KEY_FILE=${VETIS_KEY_FILE:-$work/demo.key}
if [ -n "${LOADED:-}" ]; then
  : # the database given is already loaded
elif [ ! -e "$work/loaded" ] || [ -n "${VETIS_DB:-}" ]; then
  if [ -z "${VETIS_DB:-}" ]; then rm -f "$db" "$db"-* "$VETIS_KEY_FILE"; fi
  echo "load: loading the demo city into $db (about 100 s)"
  "$bin" --db "$db" demo >/dev/null 2>&1
  touch "$work/loaded"
fi
printf 'Load-Bench-2026!\n' | "$bin" --db "$db" user add load-analyst --role analyst >/dev/null 2>&1 || true
token=$("$bin" --db "$db" user token load-analyst)
port=18080
# Every sign-in of the run is checked (argon2), none only told to wait: the bench's sign-ins come
# from one address, which the throttle would otherwise slow down after 20 failures; and the
# counters earlier runs left in an SQLite database are cleared.
if [ -z "${VETIS_DB:-}" ]; then
  python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM sign_in_throttle'); c.commit()" "$db"
fi
VETIS_SIGNIN_FREE_TRIES=1000000 VETIS_SIGNIN_ADDRESS_FREE_TRIES=1000000 VETIS_SIGNIN_ACCOUNT_FREE_TRIES=1000000 \
  "$bin" --db "$db" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
# Measured warm, as a load balancer would send readers: once /readyz says every figure is computed.
started=$(date +%s)
for _ in $(seq 1 1200); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.5; done
echo "load: the figures were warm $(($(date +%s) - started)) s after the server answered"
cookie=$(curl -si -H 'content-type: application/json' \
  -d '{"username":"load-analyst","password":"Load-Bench-2026!"}' http://127.0.0.1:$port/api/v1/session \
  | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
# The district with most schools (440106 in the demo city), and the first school it lists.
# (awk reads to the end: head would close the pipe early, and pipefail would stop the script.)
district=${DISTRICT:-$("$bin" --db "$db" districts list | sort -t$'\t' -k3,3nr | awk -F'\t' 'NR == 1 {print $1}')}
school=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/dashboard?district=$district" | grep -o 'school=[0-9]*' | awk -F= 'NR == 1 {print $2}')

# Sign-ins during the run: a right password and a wrong one, each every 250 ms, until killed.
# Counts what was answered (200 signed in, 401 refused, 429 told to wait) in $work/signins.
signins() {
  : > "$work/signins"
  while :; do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
      -d '{"username":"load-analyst","password":"Load-Bench-2026!"}' http://127.0.0.1:$port/api/v1/session >> "$work/signins"
    curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
      -d '{"username":"load-analyst","password":"wrong-password"}' http://127.0.0.1:$port/api/v1/session >> "$work/signins"
    sleep 0.25
  done
}

run() { # name, path, header
  local name=$1 path=$2 header=${3:-}
  # Warm up once (the first request computes; later ones are served from the figure cache).
  curl -sf -o /dev/null ${header:+-H "$header"} "http://127.0.0.1:$port$path"
  local out signer
  signins &
  signer=$!
  out=$(wrk -t2 -c50 -d"${secs}s" --latency ${header:+-H "$header"} "http://127.0.0.1:$port$path")
  kill $signer 2>/dev/null; wait $signer 2>/dev/null || true
  local ok refused waited
  ok=$(grep -c '^200' "$work/signins" || true)
  refused=$(grep -c '^401' "$work/signins" || true)
  waited=$(grep -c '^429' "$work/signins" || true)
  local p50 p99 rps errors
  p50=$(echo "$out" | awk '/^ +50%/{print $2}')
  p99=$(echo "$out" | awk '/^ +99%/{print $2}')
  rps=$(echo "$out" | awk '/^Requests\/sec/{print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/{print $5}')
  printf '%-34s p50 %-9s p99 %-9s %10s req/s  non-2xx %-4s sign-ins %s ok, %s refused, %s told to wait\n' \
    "$name" "$p50" "$p99" "$rps" "${errors:-0}" "$ok" "$refused" "$waited"
}

echo "load: wrk -t2 -c50 -d${secs}s on 127.0.0.1 ($(nproc) cores, $(basename "$db"))"
run "public page /" "/"
run "dashboard (the whole)" "/dashboard" "Cookie: $cookie"
if [ -n "${REGION:-}" ]; then
  run "dashboard (region $REGION)" "/dashboard?region=$REGION" "Cookie: $cookie"
  run "indicator drill-down (region $REGION)" "/indicator/secondary_progression_rate?region=$REGION" "Cookie: $cookie"
fi
run "dashboard (district $district)" "/dashboard?district=$district" "Cookie: $cookie"
run "dashboard (school $school)" "/dashboard?school=$school" "Cookie: $cookie"
run "indicator drill-down (city)" "/indicator/secondary_progression_rate" "Cookie: $cookie"
run "targets (city)" "/targets" "Cookie: $cookie"
run "practice rule (city, page 1)" "/target/practice_compliance" "Cookie: $cookie"
run "api indicators (city)" "/api/v1/indicators?year=$year" "Authorization: Bearer $token"
run "api indicators (school)" "/api/v1/indicators?year=2024&school=$school" "Authorization: Bearer $token"
run "api records (school, page 1)" "/api/v1/records/student?year=$year&school=$school" "Authorization: Bearer $token"
# The school's last page of students, reached by page number (an offset) and by the cursor its
# previous page gave (a range of the records' key).
last=$(python3 - "$port" "$token" "$school" "$year" <<'PY'
import json, sys, urllib.request
port, token, school, year = sys.argv[1:]
base = f"http://127.0.0.1:{port}/api/v1/records/student?year={year}&school={school}"
def get(u):
    return json.load(urllib.request.urlopen(urllib.request.Request(u, headers={"Authorization": f"Bearer {token}"})))
page, cursor = 1, None
while True:
    p = get(base + (f"&page={page}&after={cursor}" if cursor else ""))
    if not p["next"]:
        break
    cursor, page = p["next"], page + 1
print(page, cursor or "")
PY
)
last_page=${last% *}; last_cursor=${last#* }
if [ "$last_page" -gt 1 ]; then
  run "api records (page $last_page by number)" "/api/v1/records/student?year=$year&school=$school&page=$last_page" "Authorization: Bearer $token"
  run "api records (page $last_page by cursor)" "/api/v1/records/student?year=$year&school=$school&page=$last_page&after=$last_cursor" "Authorization: Bearer $token"
fi

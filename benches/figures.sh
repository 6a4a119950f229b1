#!/usr/bin/env bash
# Benchmark of the figures (the Fresh figures issue), printed as one table:
#   1. the demo city on the embedded SQLite: the ten indicators (`/api/v1/indicators`) and every
#      target (`/targets`) for the city, a district and a school: at start (the first request the
#      moment a freshly started `vetis serve` answers /healthz, while it is still warming its
#      figures), ready (the first request once /readyz says the figures are warm) and warm (median
#      of five more); the same from the CLI (a new process each time, nothing kept between runs);
#      then every page a bureau user reaches, cold and warm (benches/pages.py);
#   2. an approval: a staged submission approved through the API, then the city's figures asked
#      for at once: the time of the approval and of that first request, and whether it shows the
#      change;
#   3. a 1,000,000-row student file (the synthetic city of `cargo bench --bench import`): the ten
#      indicators from the CLI, cold and warm, against DuckDB computing the same formula over the
#      same CSV files (Python package in a virtual environment under target/).
#
#   bash benches/figures.sh            # everything (the first run loads the demo city: ~3 min,
#                                      # and imports the 1M-row file: ~3 min)
#   ROWS=100000 bash benches/figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
cargo build --release --quiet
bin=$PWD/target/release/vetis
work=$PWD/target/figures-bench
mkdir -p "$work" target/load-bench
port=18091
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null || true' EXIT

ms() { python3 -c "import sys; print(round(float(sys.argv[1]) * 1000))" "$1"; }
now_ns() { date +%s%N; }
since_ms() { echo $(( ($(now_ns) - $1) / 1000000 )); }
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
row() { printf '%-44s %10s %10s %10s\n' "$1" "$2" "$3" "${4:-}"; }

# ---- 1. the demo city -------------------------------------------------------------------------
demo=target/load-bench/demo.db
export VETIS_KEY_FILE=$PWD/target/load-bench/demo.key
if [ ! -e target/load-bench/loaded ]; then
  rm -f "$demo" "$demo"-* "$VETIS_KEY_FILE"
  echo "figures: loading the demo city into $demo (about 3 min)" >&2
  "$bin" --db "$demo" demo >/dev/null 2>&1
  touch target/load-bench/loaded
fi
printf 'Figures-Bench-2026!\n' | "$bin" --db "$demo" user add bench-admin --role admin >/dev/null 2>&1 || true
token=$("$bin" --db "$demo" user token bench-admin)
district=440106
# A district-run secondary school of the district (its students count in secondary enrolment).
school=$("$bin" --db "$demo" export --table school --format csv 2>/dev/null | awk -F, -v d=$district 'NR > 1 && $3 == "中职" && $4 == "区属" && $5 == d {print $1; exit}')

# The throttle counters that earlier runs' sign-ins (and benches/load.sh's) left must not make
# this run wait.
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM sign_in_throttle'); c.commit()" "$demo"
start_server() {
  [ -n "$server" ] && { kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; }
  "$bin" --db "$demo" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 200); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && return; sleep 0.1; done
  echo "figures: the server did not start" >&2; exit 1
}
wait_ready() { # until /readyz answers 200; prints the warm-up's own figures
  for _ in $(seq 1 1200); do
    local r; r=$(curl -s -w ' %{http_code}' http://127.0.0.1:$port/readyz)
    [ "${r##* }" = 200 ] && { warmed=${r% *}; return; }
    sleep 0.1
  done
  echo "figures: the server did not warm its figures within 120 s" >&2; exit 1
}
get() { # path → seconds
  curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" -H "Cookie: $cookie" "http://127.0.0.1:$port$1"
}
sign_in() {
  cookie=$(curl -si -H 'content-type: application/json' \
    -d '{"username":"bench-admin","password":"Figures-Bench-2026!"}' http://127.0.0.1:$port/api/v1/session \
    | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
}
web() { # label, path
  start_server
  sign_in
  local at_start ready warm=()
  at_start=$(ms "$(get "$2")")
  start_server
  sign_in
  wait_ready
  ready=$(ms "$(get "$2")")
  for _ in 1 2 3 4 5; do warm+=("$(ms "$(get "$2")")"); done
  row "$1" "$at_start" "$ready" "$(echo "${warm[@]}" | median)"
}
cli() { # label, args…
  local label=$1; shift
  local t=()
  for _ in 1 2 3; do
    local s; s=$(now_ns)
    "$bin" --db "$demo" "$@" >/dev/null
    t+=("$(since_ms "$s")")
  done
  row "$label" "${t[0]}" "" "$(echo "${t[@]:1}" | median)"
}

echo
echo "Demo city ($(basename "$demo"), SQLite, release, $(nproc) cores); district $district, school $school"
row "what" "start ms" "ready ms" "warm ms"
web "web: ten indicators, city (API)" "/api/v1/indicators?year=2025"
web "web: ten indicators, district (API)" "/api/v1/indicators?year=2025&district=$district"
web "web: ten indicators, school (API)" "/api/v1/indicators?year=2025&school=$school"
web "web: every target, city (/targets)" "/targets?year=2025"
web "web: every target, district (/targets)" "/targets?year=2025&district=$district"
web "web: every target, school (/targets)" "/targets?year=2025&school=$school"
web "web: practice rule, city (/target/…)" "/target/practice_compliance?year=2025"
web "web: dashboard, city" "/dashboard?year=2025"
cli "cli: vetis indicators, city" indicators --year 2025
cli "cli: vetis indicators, district" indicators --year 2025 --district $district
cli "cli: vetis indicators, school" indicators --year 2025 --school $school
cli "cli: vetis targets, city" targets --year 2025
cli "cli: vetis targets, district" targets --year 2025 --district $district
cli "cli: vetis targets, school" targets --year 2025 --school $school
echo "the server's warm-up at start: $warmed"

echo
echo "Every page a bureau user reaches from the dashboard, targets and reports (a fresh server):"
start_server
sign_in
python3 benches/pages.py "http://127.0.0.1:$port" "$cookie" "${PAGES:-600}"

# ---- 2. an approval, then the city's figure ---------------------------------------------------
# The school's 2025 students less one enrolled student, staged for review; approved through the API; then the
# city's indicators at once. The original is restored afterwards.
"$bin" --db "$demo" export --table student --year 2025 --school "$school" --format csv --unmask --out "$work/students.csv" >/dev/null 2>&1
# Drop the first enrolled full-time student, who counts in secondary enrolment.
awk -F, 'NR == 1 || done || !($0 ~ /在籍/ && $0 ~ /,全日制,/) {print; next} {done = 1}' "$work/students.csv" > "$work/students-less-one.csv"
start_server
enrolment() { python3 -c "import json,sys; print([round(i['value'] * 10000) for i in json.load(sys.stdin) if i['id']=='secondary_enrolment'][0])"; }
before=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/indicators?year=2025" | enrolment)
"$bin" --db "$demo" import --review "$work/students-less-one.csv" >/dev/null 2>&1
list() { "$bin" --db "$demo" submissions list --table student --school "$school" --year 2025 --status "$1" --limit 1 2>/dev/null | awk '$1 ~ /^[0-9]+$/ {print $1}' | head -n 1; }
id=$(list submitted)
s=$(now_ns)
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{}' \
  "http://127.0.0.1:$port/api/v1/submissions/$id/approve"
approve_ms=$(since_ms "$s")
s=$(now_ns)
curl -s -H "Authorization: Bearer $token" -o "$work/after.json" "http://127.0.0.1:$port/api/v1/indicators?year=2025"
fresh_ms=$(since_ms "$s")
after=$(enrolment < "$work/after.json")
echo
row "approval of submission $id (API)" "$approve_ms" ""
row "then the city's ten indicators (first ask)" "$fresh_ms" ""
echo "secondary enrolment (students) before $before, after $after ($( [ "$before" != "$after" ] && echo 'the change shows at once' || echo 'unchanged: the row dropped was not counted'))"
prev=$(list superseded)
"$bin" --db "$demo" submissions restore "$prev" >/dev/null 2>&1 || echo "figures: could not restore submission $prev" >&2
kill $server; wait $server 2>/dev/null || true; server=

# ---- 3. a 1,000,000-row file against DuckDB ---------------------------------------------------
big=$work/rows-$rows
if [ ! -e "$big/loaded" ]; then
  rm -rf "$big"; mkdir -p "$big"
  echo "figures: writing and importing $rows student rows (a few minutes)" >&2
  cargo bench --quiet --bench import -- --rows "$rows" --generate-only "$big" >/dev/null
  VETIS_KEY_FILE=$big/key "$bin" --db "$big/big.db" init >/dev/null 2>&1
  VETIS_KEY_FILE=$big/key "$bin" --db "$big/big.db" import "$big/school.csv" "$big/offering.csv" >/dev/null 2>&1
  VETIS_KEY_FILE=$big/key "$bin" --db "$big/big.db" import "$big/student.csv" >/dev/null 2>&1
  touch "$big/loaded"
fi
t=()
for _ in 1 2 3 4; do
  s=$(now_ns)
  VETIS_KEY_FILE=$big/key "$bin" --db "$big/big.db" indicators --year 2025 --format json >/dev/null
  t+=("$(since_ms "$s")")
done
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet duckdb
fi
duck=$("$venv/bin/python" benches/duckdb_figures.py "$big")
echo
echo "$rows student rows, 60 schools, 2020–2025 ($(du -m "$big/student.csv" | cut -f1) MB CSV)"
row "what" "cold ms" "warm ms"
row "vetis indicators --year 2025 (ten, blocks)" "${t[0]}" "$(echo "${t[@]:1}" | median)"
echo "$duck" | while IFS='|' read -r label cold warm; do row "$label" "$cold" "$warm"; done

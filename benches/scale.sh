#!/usr/bin/env bash
# Import speed against DuckDB's CSV load (the National scale issue), printed as one table:
# the synthetic city's student file (1,000,000 rows by default; `cargo bench --bench import`
# writes it, and it is kept in target/scale-bench/ for the next run) imported by the release
# binary with every rule of the data standard checked, on SQLite and on PostgreSQL, and loaded by
# DuckDB (its Python package, in a virtual environment this script makes under target/) into a
# database file in a new process, the durable equivalent. Peak memory is the process's maximum
# resident set (GNU time). Each VETIS run also prints its phases (VETIS_LOG=info).
#
#   bash benches/scale.sh                     # 1,000,000 students, both backends
#   ROWS=100000 BACKENDS=sqlite bash benches/scale.sh
#   ROWS=0 NATIONAL=0.04 bash benches/scale.sh   # the national set only
#   ROWS=0 NATIONAL=1 BACKUP=0 bash benches/scale.sh   # the nation (41.8 M rows), without backup
#   NATIONAL=0.04 bash benches/scale.sh       # then a province (the national generator at 4 %) on
#                                             # PostgreSQL: imports, rebuild, figures, backup, restore,
#                                             # and the ten indicators by DuckDB over the same files
#
#   VETIS_BIN=/tmp/vetis bash benches/scale.sh   # a given binary instead of building one
#
# PostgreSQL: a server at $VETIS_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
backends=${BACKENDS:-"sqlite postgres"}
pg=${VETIS_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
command -v /usr/bin/time >/dev/null || { echo "scale: GNU time is needed (apt-get install time)"; exit 2; }
# VETIS_BIN: a binary kept aside (to compare two builds, or to go on building while this runs).
if [ -n "${VETIS_BIN:-}" ]; then bin=$VETIS_BIN; else cargo build --release --quiet; bin=$PWD/target/release/vetis; fi
work=$PWD/target/scale-bench
data=$work/city-$rows
mkdir -p "$work"
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet duckdb
fi
# "seconds peak_kib" of a command; its standard error goes to $work/last.log.
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/last.out" 2>"$work/last.log"; cat "$work/time"; }
if [ "$rows" != 0 ]; then # ROWS=0: the national set only
if [ ! -s "$data/student.csv" ]; then
  mkdir -p "$data"
  echo "scale: writing $rows students to $data"
  cargo bench --quiet --bench import -- --rows "$rows" --generate-only "$data" >/dev/null
fi
results=()
for run in 1 2; do
  rm -f "$work/duck.db" "$work/duck.db.wal"
  r=$(timed "$venv/bin/python" -c "
import duckdb, sys
c = duckdb.connect(sys.argv[1])
c.execute(\"CREATE TABLE student AS SELECT * FROM read_csv('\" + sys.argv[2] + \"', header = true)\")
c.close()" "$work/duck.db" "$data/student.csv")
  duck_s=${r% *}; duck_kib=${r#* }
  # The better of two runs: the first may read the file from disk.
  if [ "$run" = 1 ] || awk "BEGIN {exit !($duck_s < $best_s)}"; then best_s=$duck_s; best_kib=$duck_kib; fi
done
duck_s=$best_s; duck_kib=$best_kib
for backend in $backends; do
  export VETIS_KEY_FILE=$work/$backend.key
  rm -f "$VETIS_KEY_FILE"
  if [ "$backend" = sqlite ]; then
    export VETIS_DB=$work/bench.db
    rm -f "$VETIS_DB" "$VETIS_DB"-*
  else
    psql -q "$pg" -c "DROP DATABASE IF EXISTS vetis_scale WITH (FORCE)" -c "CREATE DATABASE vetis_scale"
    export VETIS_DB=${pg%/*}/vetis_scale
  fi
  "$bin" init >/dev/null 2>&1
  "$bin" import "$data/school.csv" "$data/offering.csv" >/dev/null 2>&1
  r=$(VETIS_LOG=info timed "$bin" import "$data/student.csv")
  echo "scale: $backend phases:"
  grep -o 'INFO vetis::workflow::import: .*' "$work/last.log" | sed 's/^INFO vetis::workflow::import: /  /' | sed "s# sheet=$data/student.csv##; s# file=$data/student.csv##"
  again=$(timed "$bin" import "$data/student.csv")
  results+=("$backend ${r% *} ${r#* } ${again% *}")
done
unset VETIS_DB
echo
echo "$rows students ($(du -m "$data/student.csv" | cut -f1) MB CSV), release build, $(nproc) cores, $(date +%F):"
printf '| %-34s | %9s | %10s | %11s | %13s | %26s |\n' "load" "seconds" "rows/s" "peak memory" "% of DuckDB's" "identical resubmission (s)"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "-----------" "------------" "-------------" "---------------" "----------------------------"
printf '| %-34s | %9.2f | %10.0f | %7.0f MiB | %13s | %26s |\n' "DuckDB: CREATE TABLE AS read_csv" "$duck_s" "$(echo "$rows / $duck_s" | bc -l)" "$(echo "$duck_kib / 1024" | bc -l)" "100 %" ""
for line in "${results[@]}"; do
  set -- $line
  pct=$(echo "100 * $duck_s / $2" | bc -l)
  printf '| %-34s | %9.2f | %10.0f | %7.0f MiB | %11.1f %% | %26.2f |\n' "VETIS import, every rule, $1" "$2" "$(echo "$rows / $2" | bc -l)" "$(echo "$3 / 1024" | bc -l)" "$pct" "$4"
done
fi

# The national generator at a fraction (NATIONAL=0.04: a province of 400 schools and 1.67 M rows;
# NATIONAL=1: the nation) on an empty PostgreSQL database: each table's import, the blocks rebuilt,
# the figures for the nation, a province, a county and a school (a new process each), backup and
# restore, then DuckDB's figures over the same files.
fraction=${NATIONAL:-}
[ -n "$fraction" ] || exit 0
nat=$work/national-$fraction
if [ ! -s "$nat/student.csv" ]; then
  echo "scale: writing the national set at $fraction to $nat"
  "$bin" demo --scale national --fraction "$fraction" --out "$nat" >/dev/null
fi
psql -q "$pg" -c "DROP DATABASE IF EXISTS vetis_national WITH (FORCE)" -c "DROP DATABASE IF EXISTS vetis_national_restored WITH (FORCE)" \
  -c "CREATE DATABASE vetis_national" -c "CREATE DATABASE vetis_national_restored"
# The nation's student file is one file of 30 M rows, past the import's default limit per file.
export VETIS_DB=${pg%/*}/vetis_national VETIS_KEY_FILE=$work/national.key VETIS_MAX_ROWS=50000000
rm -f "$VETIS_KEY_FILE" "$work/national.zip"
"$bin" init >/dev/null 2>&1
"$bin" districts region CN >/dev/null
step() {
  local label=$1; shift
  r=$(timed "$@") || { echo "scale: $label failed:"; tail -5 "$work/last.log" "$work/last.out"; exit 1; }
  # Each step's log (its phases, at VETIS_LOG=info for the imports) kept whole for afterwards.
  { echo "== $label"; cat "$work/last.log"; } >>"$work/national.log"
  printf '| %-58s | %9.2f | %7.0f MiB |\n' "$label" "${r% *}" "$(echo "${r#* } / 1024" | bc -l)"
}
echo
echo "national set at $fraction ($(du -sm "$nat" | cut -f1) MB of CSV), PostgreSQL, $(nproc) cores, $(date +%F):"
printf '| %-58s | %9s | %11s |\n' "step" "seconds" "peak memory"
printf '|%s|%s|%s|\n' "------------------------------------------------------------" "-----------" "-------------"
rm -f "$work/national.log"
for t in school offering teacher student graduate training; do
  [ -s "$nat/$t.csv" ] && VETIS_LOG=info step "import $t ($(($(wc -l <"$nat/$t.csv") - 1)) rows)" "$bin" import "$nat/$t.csv"
done
VETIS_LOG=info step "figures rebuild (every block)" "$bin" figures rebuild
school=$(psql -At "$VETIS_DB" -c "SELECT school_code FROM rec_school WHERE is_current = 1 ORDER BY school_code LIMIT 1")
county=$(psql -At "$VETIS_DB" -c "SELECT district_code FROM rec_school WHERE is_current = 1 GROUP BY district_code ORDER BY COUNT(*) DESC, district_code LIMIT 1")
step "indicators, the nation" "$bin" indicators --year 2024
step "indicators, county $county" "$bin" indicators --year 2024 --district "$county"
step "indicators, school $school" "$bin" indicators --year 2024 --school "$school"
province=${county:0:2}
step "indicators, province $province" "$bin" indicators --year 2024 --region "$province"
step "targets, the nation" "$bin" targets --year 2024
step "targets, province $province" "$bin" targets --year 2024 --region "$province"
step "targets, school $school" "$bin" targets --year 2024 --school "$school"
if [ "${BACKUP:-1}" != 0 ]; then # BACKUP=0: leave backup and restore out (the nation's take long)
  step "backup ($(psql -At "$VETIS_DB" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"))" "$bin" backup --out "$work/national.zip"
  step "restore into an empty database" "$bin" restore "$work/national.zip" --db "${pg%/*}/vetis_national_restored"
fi

# DuckDB computing the same ten indicators (VETIS's own formula SQL, `vetis figures duckdb`) by
# scanning the same CSV files, in a new in-memory database; each figure checked against VETIS's.
"$bin" figures duckdb --csv "$nat" --region "$province" --school "$school" > "$work/duck-script.json"
"$bin" indicators --year 2024 --format json > "$work/vetis-nation.json"
"$bin" indicators --year 2024 --region "$province" --format json > "$work/vetis-province.json"
"$bin" indicators --year 2024 --school "$school" --format json > "$work/vetis-school.json"
echo
echo "the ten indicators of 2024 by DuckDB $("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)') over the CSV files (the same SQL as VETIS's records check):"
printf '| %-28s | %9s | %22s | %18s |\n' "scope" "seconds" "figures equal to VETIS" "largest difference"
printf '|%s|%s|%s|%s|\n' "------------------------------" "-----------" "------------------------" "--------------------"
"$venv/bin/python" benches/duck_figures.py "$work/duck-script.json" 2024 \
  "$work/vetis-nation.json" "$work/vetis-province.json" "$work/vetis-school.json" |
  while IFS=$'\t' read -r scope secs checked worst; do
    printf '| %-28s | %9.2f | %19s/10 | %18s |\n' "$scope" "$secs" "$checked" "$worst"
  done
echo
echo "database: $(psql -At "$VETIS_DB" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"), $(psql -At "$VETIS_DB" -c "SELECT SUM(n_live_tup) FROM pg_stat_user_tables WHERE relname LIKE 'rec_%'") record rows"

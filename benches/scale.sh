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
#
# PostgreSQL: a server at $VETIS_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
backends=${BACKENDS:-"sqlite postgres"}
pg=${VETIS_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
command -v /usr/bin/time >/dev/null || { echo "scale: GNU time is needed (apt-get install time)"; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/vetis
work=$PWD/target/scale-bench
data=$work/city-$rows
mkdir -p "$work"
if [ ! -s "$data/student.csv" ]; then
  mkdir -p "$data"
  echo "scale: writing $rows students to $data"
  cargo bench --quiet --bench import -- --rows "$rows" --generate-only "$data" >/dev/null
fi
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet duckdb
fi

# "seconds peak_kib" of a command; its standard error goes to $work/last.log.
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/last.out" 2>"$work/last.log"; cat "$work/time"; }
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

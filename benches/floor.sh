#!/usr/bin/env bash
# Each database's own bulk load of the rows VETIS writes, with nothing checked: the floor under
# `benches/scale.sh`'s import figures. Run scale.sh first (it leaves the PostgreSQL database
# vetis_scale holding the million students as VETIS stored them: pseudonyms, ciphertexts,
# hashes). This script exports those rows once, then times, twice each:
#   - PostgreSQL `\copy` into the table as VETIS makes it (its key and index by person), with its
#     key only, into the same columns with no key nor index, and into that bare table from two
#     sessions at once (half the rows each: what two cores give a load that is split);
#   - the sqlite3 shell's `.import` into the table as VETIS makes it, with its key only, and into a
#     bare table.
# Besides wall-clock seconds it prints the CPU seconds the whole machine spent (from /proc/stat:
# the client and the server together), which two cores divide by two at best.
#
#   bash benches/floor.sh
#
# Needs psql and the sqlite3 shell. PostgreSQL: a server at $VETIS_TEST_PG (default
# postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
pg=${VETIS_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
work=$PWD/target/scale-bench
rows_csv=$work/rec_student.csv
src=${pg%/*}/vetis_scale
command -v sqlite3 >/dev/null || { echo "floor: the sqlite3 shell is needed (apt-get install sqlite3)"; exit 2; }
n=$(psql -At "$src" -c "SELECT COUNT(*) FROM rec_student" 2>/dev/null) || {
  echo "floor: no vetis_scale database: run benches/scale.sh first"; exit 2; }
if [ ! -s "$rows_csv" ]; then
  psql -q "$src" -c "\\copy rec_student TO '$rows_csv' WITH (FORMAT csv)"
fi
cols=$(psql -At "$src" -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'rec_student'")

# All CPU time on the machine so far, in seconds (user, nice, system, irq, softirq).
cpu() { awk '/^cpu /{printf "%.2f", ($2+$3+$4+$7+$8)/100}' /proc/stat; }
# "wall cpu" of a command.
measure() {
  local c0 t0 t1 c1
  c0=$(cpu); t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N); c1=$(cpu)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$c1 - $c0" | bc -l)"
}
results=()
row() { results+=("$1|$2"); }

fdb=${pg%/*}/vetis_floor
pg_fresh() { # $1: keyed (the table as VETIS makes it), key (without the index by person) or bare
  psql -q "$pg" -c "DROP DATABASE IF EXISTS vetis_floor WITH (FORCE)" -c "CREATE DATABASE vetis_floor"
  if [ "$1" != bare ]; then
    pg_dump -s -t rec_student "$src" | psql -q "$fdb" >/dev/null
    [ "$1" = keyed ] || psql -q "$fdb" -c "DROP INDEX rec_student_person" >/dev/null
  else
    # The CREATE TABLE alone: pg_dump adds the key and the indexes after it.
    psql -q "$fdb" -c "$(pg_dump -s -t rec_student "$src" | awk '/^CREATE TABLE/,/\);/')" >/dev/null
  fi
  psql -q "$pg" -c "CHECKPOINT"
}
pg_copy() { psql -q "$fdb" -c "\\copy rec_student ($cols) FROM '$1' WITH (FORMAT csv)"; }
half() { split -n l/2 -d "$rows_csv" "$work/rec_student.half."; }
pg_copy_two() { pg_copy "$work/rec_student.half.00" & pg_copy "$work/rec_student.half.01"; wait; }
half
for run in 1 2; do
  pg_fresh keyed; row "PostgreSQL \\copy, key and index by person" "$(measure pg_copy "$rows_csv")"
  pg_fresh key; row "PostgreSQL \\copy, key only" "$(measure pg_copy "$rows_csv")"
  pg_fresh bare; row "PostgreSQL \\copy, no key, no index" "$(measure pg_copy "$rows_csv")"
  pg_fresh bare; row "PostgreSQL \\copy, no key, no index, 2 sessions" "$(measure pg_copy_two)"
done
psql -q "$pg" -c "DROP DATABASE IF EXISTS vetis_floor WITH (FORCE)"
rm -f "$work"/rec_student.half.*

# The SQLite table as VETIS makes it: the schema of a new VETIS database (scale.sh's bench.db).
sdb=$work/floor.db
sqlite_fresh() { # $1: keyed, key or bare
  rm -f "$sdb" "$sdb"-*
  if [ "$1" = keyed ]; then
    sqlite3 "$work/bench.db" ".schema rec_student" | sqlite3 "$sdb"
  elif [ "$1" = key ]; then
    sqlite3 "$work/bench.db" ".schema rec_student" | perl -0pe 's/CREATE INDEX[^;]*;//g' | sqlite3 "$sdb"
  else
    # The same columns and types in a plain rowid table: no key, no index.
    sqlite3 "$work/bench.db" ".schema rec_student" |
      perl -0pe 's/,\s*PRIMARY KEY \([^)]*\)\s*\)\s*WITHOUT ROWID;/);/; s/CREATE INDEX[^;]*;//g' | sqlite3 "$sdb"
  fi
}
# VETIS's settings: WAL, synchronous NORMAL, a 64 MiB cache.
sqlite_import() {
  sqlite3 "$sdb" <<EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -65536;
.mode csv
.import $rows_csv rec_student
EOF
}
[ -s "$work/bench.db" ] || { echo "floor: no $work/bench.db: run benches/scale.sh with BACKENDS including sqlite"; exit 2; }
for run in 1 2; do
  sqlite_fresh keyed; row "sqlite3 .import, key and index by person" "$(measure sqlite_import)"
  sqlite_fresh key; row "sqlite3 .import, key only" "$(measure sqlite_import)"
  sqlite_fresh bare; row "sqlite3 .import, no key, no index" "$(measure sqlite_import)"
done
rm -f "$sdb" "$sdb"-*

echo
echo "$n rows as VETIS stores them ($(du -m "$rows_csv" | cut -f1) MB of CSV), $(nproc) cores, $(date +%F):"
printf '| %-50s | %9s | %11s |\n' "load (two runs each)" "seconds" "CPU seconds"
printf '|%s|%s|%s|\n' "----------------------------------------------------" "-----------" "-------------"
for r in "${results[@]}"; do
  label=${r%%|*}; set -- ${r#*|}
  printf '| %-50s | %9.2f | %11.2f |\n' "$label" "$1" "$2"
done

"""DuckDB computing the plan's student formula (secondary_enrolment: full-time students enrolled at
municipal and district secondary schools, by year) over the synthetic city's CSV files, for
benches/figures.sh. Prints `label|cold ms|warm ms` lines: over the CSV files as they are, and over
tables loaded from them first (the load's time on its own line).

    python benches/duckdb_figures.py DIR    # DIR holds school.csv and student.csv
"""

import statistics
import sys
import time

import duckdb

d = sys.argv[1]
FORMULA = """
SELECT s.year, COUNT(*) FROM {student} s JOIN {school} k ON k.school_code = s.school_code
WHERE k.level = '中职' AND k.sponsor IN ('市属', '区属') AND s.status = '在籍' AND s.study_mode = '全日制'
GROUP BY s.year ORDER BY s.year
"""


def timed(con, sql):
    t = time.perf_counter()
    con.execute(sql).fetchall()
    return (time.perf_counter() - t) * 1000


def runs(con, sql):
    cold = timed(con, sql)
    warm = statistics.median(timed(con, sql) for _ in range(5))
    return cold, warm


con = duckdb.connect()
csv = FORMULA.format(
    student=f"read_csv('{d}/student.csv', header = true, all_varchar = true)",
    school=f"read_csv('{d}/school.csv', header = true, all_varchar = true)",
)
cold, warm = runs(con, csv)
print(f"duckdb: the same formula over the CSV|{cold:.0f}|{warm:.0f}")
t = time.perf_counter()
con.execute(f"CREATE TABLE student AS SELECT * FROM read_csv('{d}/student.csv', header = true, all_varchar = true)")
con.execute(f"CREATE TABLE school AS SELECT * FROM read_csv('{d}/school.csv', header = true, all_varchar = true)")
load = (time.perf_counter() - t) * 1000
print(f"duckdb: loading the CSV into tables|{load:.0f}|")
cold, warm = runs(con, FORMULA.format(student="student", school="school"))
print(f"duckdb: the same formula over loaded tables|{cold:.0f}|{warm:.0f}")

"""The plan's key indicators in DuckDB over the standard's CSV files, beside VETIS's own.

Reads the script `vetis figures duckdb` writes (views over the files, then each indicator's SQL
in each scope), runs it in a new in-memory DuckDB, and prints one line per scope: DuckDB's time
to compute the ten indicators by scanning the files, and the largest difference from the figures
VETIS printed (`vetis indicators --format json`, one file per scope, given in the same order).

    python benches/duck_figures.py SCRIPT.json YEAR VETIS_CITY.json [VETIS_SCOPE.json ...]
"""

import json
import sys
import time

import duckdb


def figure(q, rows, year):
    """The figure for `year` from a query's rows, as VETIS's `finish` makes it."""
    m = q["measure"]
    if m == "distinct_schools":
        # Each school's first year; counted up to the year.
        n = sum(1 for (first,) in rows if first is not None and first <= year)
        return n / q["divisor"]
    by_year = {r[0]: r[1:] for r in rows}
    if q["cumulative"]:
        total = sum(r[0] or 0 for y, r in by_year.items() if y <= year)
        return total / q["divisor"]
    r = by_year.get(year)
    if r is None:
        return None
    if m == "share":
        den, num = r[0], r[1] or 0
        return num * 100.0 / den if den else None
    return (r[0] or 0) / q["divisor"]


def scope_name(s):
    if s["kind"] == "city":
        return "the whole installation"
    return f'{s["kind"]} {s["code"]}'


def main():
    script = json.load(open(sys.argv[1]))
    year = int(sys.argv[2])
    vetis = [{r["id"]: r["value"] for r in json.load(open(p))} for p in sys.argv[3:]]
    con = duckdb.connect()
    for v in script["views"]:
        con.execute(v)
    scopes = []
    for q in script["queries"]:
        if q["scope"] not in scopes:
            scopes.append(q["scope"])
    for i, scope in enumerate(scopes):
        seconds, worst, checked = 0.0, 0.0, 0
        for q in (q for q in script["queries"] if q["scope"] == scope):
            start = time.perf_counter()
            rows = con.execute(q["sql"]).fetchall()
            seconds += time.perf_counter() - start
            duck = figure(q, rows, year)
            mine = vetis[i].get(q["indicator"]) if i < len(vetis) else None
            if duck is None and mine is None:
                checked += 1
            elif duck is not None and mine is not None:
                worst = max(worst, abs(duck - mine))
                checked += 1
            else:
                print(f"  {scope_name(scope)} {q['indicator']}: DuckDB {duck}, VETIS {mine}", file=sys.stderr)
                worst = float("inf")
        print(f"{scope_name(scope)}\t{seconds:.3f}\t{checked}\t{worst:.6g}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The EXPLAIN ANALYZE proof of docs/analytics.md "Performance on a year of traffic": migrates a scratch database,
# fills it with about a million served tips (generate.sql), then runs each ready query of docs/analytics.md as
# tips_analyst, once to warm the cache and once under EXPLAIN (ANALYZE, BUFFERS); then again without the indexes
# the AnalystViews migration adds, to show what they buy.
#
#   bench/analytics/run.sh                 # a throwaway local cluster (initdb/pg_ctl), removed afterwards
#   BENCH_ADMIN_URL=postgres://postgres:…@127.0.0.1:55432/postgres bench/analytics/run.sh   # an existing server
#
# Writes bench/analytics/results/<UTC date>.txt (plans) and prints a summary table. Not part of ./tips test.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/analytics"
REQUESTS=${BENCH_REQUESTS:-740000}
PORT=${BENCH_PG_PORT:-56299}
DB=tips_bench
RESULTS="$HERE/results/$(date -u +%Y-%m-%d).txt"

say() { printf '==> %s\n' "$*" >&2; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { printf '%s\n' "$dir"; return 0; }
  done
  dirname "$(command -v initdb)"
}

CLUSTER=""
cleanup() {
  if [ -n "$CLUSTER" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$CLUSTER/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$CLUSTER"
  fi
}
trap cleanup EXIT

if [ -z "${BENCH_ADMIN_URL:-}" ]; then
  BIN=$(pg_bin)
  CLUSTER=$(mktemp -d /tmp/tips-bench-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CLUSTER"
  say "Starting a throwaway Postgres ($("$BIN/postgres" --version)) on port $PORT"
  as_pg "$BIN/initdb" -D "$CLUSTER/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  # Server defaults, except durability, which a scratch cluster does not need.
  as_pg "$BIN/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/postgres.log" -w \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off" start >/dev/null
  BENCH_ADMIN_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
fi

admin() { psql "$BENCH_ADMIN_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
on_db() { psql "${BENCH_ADMIN_URL%/*}/$DB" -X -q -v ON_ERROR_STOP=1 "$@"; }

say "Creating database $DB"
admin -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"

say "Migrating (Release build of Tips.Migrations)"
dotnet build "$ROOT/migrations/Tips.Migrations" -c Release -nologo -v q >/dev/null
CS=$(python3 - "$BENCH_ADMIN_URL" "$DB" <<'PY'
import sys, urllib.parse as u
p = u.urlparse(sys.argv[1])
parts = [f"Host={p.hostname}", f"Port={p.port or 5432}", f"Database={sys.argv[2]}", f"Username={u.unquote(p.username or 'postgres')}"]
if p.password: parts.append(f"Password={u.unquote(p.password)}")
print(";".join(parts))
PY
)
(cd "$ROOT/migrations/Tips.Migrations/bin/Release/net10.0" && ConnectionStrings__Tips="$CS" dotnet Tips.Migrations.dll)

say "Generating $REQUESTS requests of traffic (a few minutes)"
on_db -v requests="$REQUESTS" -f "$HERE/generate.sql"

# The ready queries, in order, straight from the docs: each ```sql block under "## Ready queries".
QUERIES=$(mktemp -d)
awk -v dir="$QUERIES" '
  /^## / { inside = ($0 == "## Ready queries") }
  inside && /^```sql$/ { n++; file = sprintf("%s/%02d.sql", dir, n); writing = 1; next }
  writing && /^```$/ { writing = 0; next }
  writing { print > file }
' "$ROOT/docs/analytics.md"

# As the analyst, with the analyst's settings (the role's own per-database settings do not apply to SET ROLE).
as_analyst() { PGOPTIONS="-c role=tips_analyst -c jit=off" on_db "$@"; }

{
  echo "# bench/analytics/run.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(on_db -At -c 'SHOW server_version')"
  echo "# $(on_db -At -c "SELECT format('tip_scores %s rows, tip_feedback %s rows', (SELECT count(*) FROM tip_scores), (SELECT count(*) FROM tip_feedback))")"
  echo "# machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RESULTS"

# Two reference questions beyond the ready queries: whole-history aggregates, no range.
cat >"$QUERIES/11.sql" <<'SQL'
SELECT * FROM analytics.reward_by_variant;
SQL
cat >"$QUERIES/12.sql" <<'SQL'
SELECT * FROM analytics.policy_estimates;
SQL

# run_all <label>: each query once to warm the cache, then under EXPLAIN ANALYZE; prints "<n> <ms>" lines.
run_all() {
  local file n plan
  for file in "$QUERIES"/*.sql; do
    n=$(basename "$file" .sql)
    as_analyst -f "$file" >/dev/null
    plan=$( { printf 'EXPLAIN (ANALYZE, BUFFERS) '; cat "$file"; } | as_analyst)
    { echo; echo "## Query $n, $1"; cat "$file"; echo "$plan"; } >>"$RESULTS"
    printf '%s %s\n' "$n" "$(printf '%s\n' "$plan" | sed -n 's/.*Execution Time: \([0-9.]*\) ms/\1/p')"
  done
}

say "Running the queries with the AnalystViews indexes"
with=$(run_all "with the AnalystViews indexes")
say "Running them again without those indexes"
on_db -c "DROP INDEX ix_tip_feedback_created_at, ix_tip_feedback_tip_id_first" -c "ANALYZE tip_feedback"
without=$(run_all "without the AnalystViews indexes")

printf '| query | with the indexes | without them |\n|---|---:|---:|\n'
join <(printf '%s\n' "$with") <(printf '%s\n' "$without") | while read -r n a b; do
  printf '| %s | %.0f ms | %.0f ms |\n' "$n" "$a" "$b"
done
rm -rf "$QUERIES"
say "Plans in ${RESULTS#"$ROOT"/}"

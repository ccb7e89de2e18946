#!/usr/bin/env bash
# Indexing throughput of the demo zoo with 1 vs 2 Indexer worker processes, in one run, on a
# private PostgreSQL cluster (as .ci/run starts it). Prints models/min; writes
# tests/Distributed.Tests/bin/throughput.txt. Usage: bash tools/distributed/measure-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${KNOW2VEC_TEST_POSTGRES:-}" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pg_dir=$(mktemp -d /tmp/know2vec-throughput-pg.XXXXXX)
  run_pg() { "$@"; }
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; run_pg() { runuser -u postgres -- "$@"; }; fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run_pg "$PG_BIN/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
  run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null
  trap 'run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null; rm -rf "$pg_dir"' EXIT
  export KNOW2VEC_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
fi
export KNOW2VEC_MEASURE_THROUGHPUT=1
dotnet build tests/Distributed.Tests -c Release -v q 2>&1 | grep -E " error " || true
dotnet test tests/Distributed.Tests -c Release --no-build --filter "FullyQualifiedName~ThroughputReport" --logger "console;verbosity=detailed" \
  | grep -E "worker process|Demo zoo|written to|Passed|Failed"

#!/usr/bin/env bash
# Copies a ROWS-row PostgreSQL table (10 columns, 3 encrypted) with `cloak migrate db --verify` in
# a JVM limited to a 256 MB heap, and reports rows/s, the verification and the peak resident set.
# Usage: benchmarks/scripts/migrate-bounded-memory.sh [ROWS]   (default 10000000)
# Needs: PostgreSQL at 127.0.0.1:5432 (user postgres, trust), psql, /usr/bin/time, and
#        cli/target/cloak.jar (mvn -B -q package -DskipTests).
set -euo pipefail
rows=${1:-10000000}
cd "$(dirname "$0")/../.."
src=cloak_mem_src_$$
dst=cloak_mem_dst_$$
work=$(mktemp -d)
cleanup() {
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $src WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $dst WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
psql -h 127.0.0.1 -U postgres -d "$src" -q \
  -c "CREATE TABLE people (id BIGINT PRIMARY KEY, email TEXT, ssn TEXT, note TEXT, name TEXT,
        city TEXT, age INT, score DOUBLE PRECISION, created TIMESTAMP, active BOOLEAN)" \
  -c "INSERT INTO people SELECT g, 'user'||g||'@example.com',
        lpad((g%1000)::text,3,'0')||'-'||lpad((g%100)::text,2,'0')||'-'||lpad((g%10000)::text,4,'0'),
        'note for customer '||g, 'Name '||g, 'City '||(g%500), 18+g%80, g*0.5, now(), g%2=0
      FROM generate_series(1, $rows) g"
head -c 32 /dev/urandom > "$work/root.key"
cat > "$work/cloak.yaml" <<YAML
kms: {type: local, keystore: ./ks, root-key-file: ./root.key}
columns:
  - {table: people, column: email, mode: deterministic}
  - {table: people, column: ssn}
  - {table: people, column: note}
YAML
/usr/bin/time -f "wall %e s, peak resident set %M KB" \
  java -Xmx256m -jar cli/target/cloak.jar migrate db \
    --source "jdbc:postgresql://127.0.0.1:5432/$src" --target "jdbc:postgresql://127.0.0.1:5432/$dst" \
    --config "$work/cloak.yaml" --source-user postgres --target-user postgres --verify \
  | grep -E "done|verify|complete"
psql -h 127.0.0.1 -U postgres -d "$dst" -tAc \
  "SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE email LIKE '\$ck1\$%') || ' with ciphertext e-mail' FROM people"

// turso_bench.mjs: the reference side of bench/turso_bench.cc: the same rows upserted into sqld
// by the official @libsql/client, `chunk` statements per batch ("write" mode: one transaction
// and one HTTP request per batch).
//
//   LIBSQL_URL=... LIBSQL_AUTH_TOKEN=... HADES_NPM_DIR=.deps/npm node turso_bench.mjs ROWS CHUNK
//
// Prints one JSON line: {"rows", "seconds", "round_trips"}. Rows are made exactly as the C++ side
// makes them (see make_row there), into table bench_js.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(path.resolve(process.env.HADES_NPM_DIR), 'package.json'));
const { createClient } = require('@libsql/client');

const rows = Number(process.argv[2] ?? 100000);
const chunk = Number(process.argv[3] ?? 500);

// Count HTTP requests the way the C++ side does: every call to fetch is one round trip.
let roundTrips = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  roundTrips += 1;
  return realFetch(...args);
};

const client = createClient({
  url: process.env.LIBSQL_URL,
  authToken: process.env.LIBSQL_AUTH_TOKEN,
  intMode: 'bigint',
});
const upsert =
  'INSERT INTO bench_js (id, name, score, note) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO ' +
  'UPDATE SET name = excluded.name, score = excluded.score, note = excluded.note';
try {
  const start = process.hrtime.bigint();
  await client.execute(
    'CREATE TABLE IF NOT EXISTS bench_js (id INTEGER PRIMARY KEY, name TEXT, score REAL, note TEXT)');
  for (let first = 1; first <= rows; first += chunk) {
    const batch = [];
    for (let i = first; i < Math.min(first + chunk, rows + 1); i++) {
      batch.push({ sql: upsert, args: [BigInt(i), `name ${i}`, i * 0.25, `note for row ${i}`] });
    }
    await client.batch(batch, 'write');
  }
  const count = await client.execute('SELECT count(*) FROM bench_js');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (Number(count.rows[0][0]) !== rows) throw new Error(`expected ${rows} rows, found ${count.rows[0][0]}`);
  console.log(JSON.stringify({ rows, seconds, round_trips: roundTrips }));
} finally {
  client.close();
}

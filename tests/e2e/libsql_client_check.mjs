// libsql_client_check.mjs: the official @libsql/client reads what HADES wrote, and writes it back.
//
//   LIBSQL_URL=http://127.0.0.1:PORT LIBSQL_AUTH_TOKEN=... HADES_NPM_DIR=.deps/npm \
//     node libsql_client_check.mjs
//
// Reads `SELECT i, x FROM v ORDER BY i` and prints one JSON object a line: {"i", "type", "value"}
// with integers as decimal strings (read as BigInt: no rounding), floats as the hex of their
// IEEE-754 bits (exact, -0 included), text as itself, blobs as hex, null as null. Then inserts
// every value, as the client read it, into table `w` (i, x) in one batch, so the test can read
// `w` back through HADES and compare both directions. Exits non-zero on any error.
import { createRequire } from 'node:module';
import path from 'node:path';

const npmDir = process.env.HADES_NPM_DIR;
const require = createRequire(path.join(path.resolve(npmDir), 'package.json'));
const { createClient } = require('@libsql/client');

function describe(x) {
  if (x === null) return { type: 'null', value: null };
  if (typeof x === 'bigint') return { type: 'integer', value: x.toString() };
  if (typeof x === 'number') {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    return { type: 'float', value: view.getBigUint64(0).toString(16).padStart(16, '0') };
  }
  if (typeof x === 'string') return { type: 'text', value: x };
  if (x instanceof ArrayBuffer) return { type: 'blob', value: Buffer.from(x).toString('hex') };
  throw new Error(`unexpected value ${x} of type ${typeof x}`);
}

const client = createClient({
  url: process.env.LIBSQL_URL,
  authToken: process.env.LIBSQL_AUTH_TOKEN,
  intMode: 'bigint',
});
try {
  const result = await client.execute('SELECT i, x FROM v ORDER BY i');
  const writes = [{ sql: 'CREATE TABLE IF NOT EXISTS w (i INTEGER PRIMARY KEY, x)', args: [] }];
  for (const row of result.rows) {
    const x = row[1] instanceof ArrayBuffer ? new Uint8Array(row[1]) : row[1];
    console.log(JSON.stringify({ i: row[0].toString(), ...describe(row[1]) }));
    writes.push({ sql: 'INSERT INTO w (i, x) VALUES (?, ?)', args: [row[0], x] });
  }
  await client.batch(writes, 'write');
} finally {
  client.close();
}

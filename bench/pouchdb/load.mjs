// Loads the device's documents into a local PouchDB (LevelDB on disk), before the timed run:
// node load.mjs DB_DIR DOCS_NDJSON. One JSON document per line, each with its _id.
import PouchDB from 'pouchdb';
import { readFileSync } from 'node:fs';

const [dir, file] = process.argv.slice(2);
if (!dir || !file) {
  console.error('usage: node load.mjs DB_DIR DOCS_NDJSON');
  process.exit(2);
}
const docs = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
const db = new PouchDB(dir);
let written = 0;
for (let i = 0; i < docs.length; i += 1000) {
  const res = await db.bulkDocs(docs.slice(i, i + 1000));
  const failed = res.filter((r) => r.error);
  if (failed.length > 0) {
    console.error(`load: ${failed.length} documents refused, the first: ${JSON.stringify(failed[0])}`);
    process.exit(1);
  }
  written += res.length;
}
const info = await db.info();
await db.close();
console.log(`loaded ${written} documents, doc_count ${info.doc_count}`);

// The timed side of the comparison: one PouchDB replication, from the local database to the
// server, in the usual way (PouchDB.replicate with its default options), then exit.
// node replicate.mjs DB_DIR REMOTE_URL. Prints docs_written and the remote's doc_count.
import PouchDB from 'pouchdb';

const [dir, url] = process.argv.slice(2);
if (!dir || !url) {
  console.error('usage: node replicate.mjs DB_DIR REMOTE_URL');
  process.exit(2);
}
const local = new PouchDB(dir);
const remote = new PouchDB(url);
const result = await PouchDB.replicate(local, remote);
if (!result.ok || result.doc_write_failures > 0) {
  console.error(`replicate: not ok, ${result.doc_write_failures} write failures`);
  process.exit(1);
}
const info = await remote.info();
console.log(`replicated docs_written ${result.docs_written} doc_count ${info.doc_count}`);
await local.close();

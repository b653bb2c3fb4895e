// One upload with tus-js-client in Node, its defaults (chunkSize Infinity: one PATCH with the whole file,
// read from an fs.ReadStream), for bench/peers.sh. Metadata: filename NAME, and `extract: tar` when the
// fourth argument is "tar" (the server then extracts the upload; see tus_server.mjs). Prints the upload URL.
// Modules are resolved from NODE_DIR/node_modules.
//
// usage: node tus_client.mjs FILE ENDPOINT NAME [tar] NODE_DIR
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
if (args.length < 4) {
  console.error('usage: node tus_client.mjs FILE ENDPOINT NAME [tar] NODE_DIR');
  process.exit(2);
}
const nodeDir = args.pop();
const [file, endpoint, name, extract] = args;
const tus = createRequire(path.join(path.resolve(nodeDir), 'package.json'))('tus-js-client');

const metadata = { filename: name };
if (extract === 'tar') metadata.extract = 'tar';
const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
  metadata,
  onError(err) {
    console.error(`upload of ${file} failed: ${err}`);
    process.exit(1);
  },
  onSuccess() {
    console.log(upload.url);
  },
});
upload.start();

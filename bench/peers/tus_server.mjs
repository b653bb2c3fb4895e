// A tus server as its README shows it (@tus/server with @tus/file-store, their defaults), for bench/peers.sh.
//
// Uploads land in STORE_DIR/<id> (+ <id>.json). When an upload is complete, before the answer to its last
// PATCH (the onUploadFinish hook), the server does what a deployment would do with it: an upload with the
// metadata `extract: tar` is extracted with `tar -xf` into DEST_DIR/<filename> and removed; any other is
// renamed to DEST_DIR/<filename>. So the client's job ends when the file or tree is in place.
// OPTIONS /files answers 204 (the health check). Modules are resolved from NODE_DIR/node_modules.
//
// usage: node tus_server.mjs HOST PORT STORE_DIR DEST_DIR NODE_DIR
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [host, port, store, dest, nodeDir] = process.argv.slice(2);
if (!nodeDir) {
  console.error('usage: node tus_server.mjs HOST PORT STORE_DIR DEST_DIR NODE_DIR');
  process.exit(2);
}
const resolve = createRequire(path.join(path.resolve(nodeDir), 'package.json')).resolve;
const load = (name) => import(pathToFileURL(resolve(name)).href);
const { Server } = await load('@tus/server');
const { FileStore } = await load('@tus/file-store');

const run = (cmd, args) => new Promise((ok, fail) => {
  const p = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  p.on('error', fail);
  p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${cmd} exited with ${code}`))));
});

const server = new Server({
  path: '/files',
  datastore: new FileStore({ directory: store }),
  async onUploadFinish(req, upload) {
    const name = upload.metadata?.filename ?? '';
    if (!name || name.includes('/') || name.startsWith('.')) {
      throw { status_code: 400, body: `bad filename '${name}'\n` };
    }
    const file = upload.storage?.path ?? path.join(store, upload.id);
    const target = path.join(dest, name);
    if (upload.metadata?.extract === 'tar') {
      await fs.mkdir(target, { recursive: true });
      await run('tar', ['-xf', file, '-C', target]);
      await fs.rm(file);
    } else {
      await fs.rename(file, target);
    }
    await fs.rm(`${file}.json`, { force: true });
    return {};
  },
});
server.listen({ host, port: Number(port) }, () => console.log(`tus server on ${host}:${port}, store ${store}, dest ${dest}`));

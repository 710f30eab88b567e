#!/usr/bin/env node
/* main.js - command line of the dev host (see server.js).
 *
 *   node tools/devhost/main.js [--port 8090] [--backend http://127.0.0.1:8080]
 *        [--keys var/keys] [--dist ui/dist] [--project PAY]
 * Environment: BIQ_DEVHOST_PORT, BIQ_BACKEND_URL, BIQ_KEYS_DIR, BIQ_APP_ID. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDevhost } from './server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.BIQ_DEVHOST_PORT || '8090' },
    backend: { type: 'string', default: process.env.BIQ_BACKEND_URL || 'http://127.0.0.1:8080' },
    keys: { type: 'string', default: process.env.BIQ_KEYS_DIR || path.join(root, 'var/keys') },
    dist: { type: 'string', default: path.join(root, 'ui/dist') },
    project: { type: 'string', default: 'PAY' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`devhost: --port: "${values.port}" is not a port number`);
  process.exit(2);
}
try {
  const host = await startDevhost({
    port, backend: values.backend, keysDir: values.keys, dist: values.dist,
    defaultProject: values.project, ...(process.env.BIQ_APP_ID ? { appId: process.env.BIQ_APP_ID } : {}),
  });
  console.log(`devhost: ${host.url}/project/${values.project}  (backend ${values.backend})`);
  console.log(`devhost: also ${host.url}/project/${values.project}/settings (project admin), ${host.url}/admin (site admin), ${host.url}/issue/${values.project}-1`);
  const stop = () => host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  console.error(`devhost: ${e.message}`);
  process.exit(1);
}

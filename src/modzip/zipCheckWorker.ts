/**
 * The thread side of zipCheckPool.ts: inspect each zip it is sent and
 * send back its CheckedZip or its error.
 */
import { parentPort } from 'node:worker_threads';
import { inspectZip } from './validateZip.js';
import { toFailure, type ZipCheckReply, type ZipCheckRequest } from './zipCheckPool.js';

const port = parentPort;
if (port === null) throw new Error('zipCheckWorker: not started as a worker thread');

port.on('message', (req: ZipCheckRequest) => {
  const data = Buffer.from(req.data.buffer, req.data.byteOffset, req.data.byteLength);
  inspectZip(req.zipPath, req.mod, req.limits, data).then(
    (result) => port.postMessage({ result } satisfies ZipCheckReply),
    (err: unknown) => port.postMessage({ failure: toFailure(err) } satisfies ZipCheckReply),
  );
});

import { Worker } from 'node:worker_threads';

/**
 * Runs `expression` (JavaScript evaluating to a value or a promise; `workerData` is in scope) in a
 * worker thread and resolves with its result; the worker is always terminated. For one-off work
 * whose memory must not stay in the gateway's thread (a WebAssembly engine, a large renderer):
 * it leaves with the worker. `what` names the work in errors.
 */
export async function runInWorker<T>(expression: string, workerData: unknown, what: string): Promise<T> {
  const script = `
const { parentPort, workerData } = require('node:worker_threads');
Promise.resolve()
  .then(() => ${expression})
  .then((result) => parentPort.postMessage({ result }), (e) => parentPort.postMessage({ error: String((e && e.stack) || e) }));
`;
  const worker = new Worker(script, { eval: true, workerData });
  try {
    const reply = await new Promise<{ result?: T; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`${what}: worker exited with ${code}`)));
    });
    if (reply.error !== undefined) throw new Error(`${what} failed: ${reply.error}`);
    return reply.result as T;
  } finally {
    await worker.terminate();
  }
}

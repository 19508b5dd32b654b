/**
 * Entry point: `npm start`. With no config file and no DATABASE_URL this is the zero-setup
 * gateway: embedded database under ./data, in-process registry sandboxes, and a fresh API key
 * printed for each sandbox registrar.
 */
import 'reflect-metadata';
import { loadConfig } from './config.js';
import { openDatabase } from './db/client.js';

const SANDBOX_KEY_LABEL = 'sandbox (printed at start)';

async function main() {
  const config = loadConfig();
  // The database opens before the gateway's modules load, and while they do: the embedded one
  // starts its PostgreSQL in a thread of its own (after a SIGKILL, with the replay of its
  // write-ahead log), which this thread would otherwise wait for once it had loaded them.
  const opening = openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  // Awaited by startGateway; a failure to load the modules first is the error to report.
  opening.catch(() => undefined);
  const [{ startGateway }, { createApiKey, revokeApiKeysByLabel }] = await Promise.all([import('./server.js'), import('./auth/api-keys.js')]);
  const gateway = await startGateway(config, { opening });
  const { prisma } = gateway.services;
  if (gateway.sandboxes.sandboxes.size > 0) {
    const lines: string[] = [];
    for (const r of config.registrars) {
      await revokeApiKeysByLabel(prisma, r.id, SANDBOX_KEY_LABEL);
      const { key } = await createApiKey(prisma, r.id, SANDBOX_KEY_LABEL);
      lines.push(`  ${r.id.padEnd(14)} ${key}`);
    }
    const registries = config.backends.map((b) => {
      const tlds = `.${config.routes.filter((x) => x.backend === b.name).map((x) => x.suffix).join(', .')}`;
      const about = gateway.sandboxes.about.get(b.name);
      return `  ${b.name.padEnd(16)} ${tlds.padEnd(20)} ${about ? `(${about})` : ''}`;
    });
    process.stdout.write(
      [
        '',
        `Registry gateway on ${gateway.url} (GraphiQL: ${gateway.url.replace(/graphql$/, '')})`,
        'Sandbox registries:',
        ...registries,
        'Sandbox API keys (new at every start; send as "Authorization: Bearer <key>"):',
        ...lines,
        '',
      ].join('\n') + '\n',
    );
  }
  const stop = async (signal: string) => {
    const delayMs = config.shutdownDelayMs ?? 0;
    gateway.services.logger.info({ signal, delayMs }, 'shutting down');
    gateway.beginShutdown();
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    await gateway.close();
    gateway.services.logger.info({ signal }, 'gateway closed');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * The "network" of bench/http.mjs, in a process of its own so that neither client it serves is
 * spared a hop: `node bench/lib/delay-proxy.mjs <host> <port> <ms>` forwards TCP on an ephemeral
 * loopback port to host:port, both ways, and delays every chunk coming back from upstream by
 * <ms> milliseconds, in order. Prints its port on the first line of stdout.
 */
import net from 'node:net';

const [host, port, ms] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const server = net.createServer((client) => {
  const up = net.connect(port, host);
  client.setNoDelay(true);
  up.setNoDelay(true);
  client.on('data', (d) => up.write(d));
  up.on('data', (d) => setTimeout(() => client.writable && client.write(d), ms));
  const end = () => (client.destroy(), up.destroy());
  for (const s of [client, up]) s.on('error', end).on('close', end);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.once('SIGTERM', () => process.exit(0));

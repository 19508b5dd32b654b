/**
 * The baseline of bench/http.mjs: a bare Apollo Server 5 with the gateway's express integration
 * (express 5, express.json, @as-integrations/express5) and a one-field schema, answering
 * `{ __typename }`. Prints its URL on the first line of stdout, serves until SIGTERM. Beside it,
 * in the same process, a TCP echo server (Nagle off) whose port follows the URL on the same line
 * (`<url> <port>`): one byte there and back is the floor of any hop between two processes on the
 * machine, which no server can go under.
 */
import { createServer } from 'node:http';
import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

export async function serveBare() {
  const apollo = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json({ limit: '2mb' }), expressMiddleware(apollo));
  const server = createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const echo = net.createServer((c) => c.setNoDelay(true).on('data', (d) => c.write(d)).on('error', () => c.destroy()));
  await new Promise((resolve) => echo.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`http://127.0.0.1:${server.address().port}/graphql ${echo.address().port}\n`);
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

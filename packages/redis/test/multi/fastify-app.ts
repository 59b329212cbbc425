import { rateLimit } from '@bulwark/fastify';
import { fromNodeRequest } from '@bulwark/core/node';
import Fastify, { type FastifyReply } from 'fastify';
import { makeApp, type Reply } from './app-common.js';

const common = await makeApp();
const send = (reply: FastifyReply, r: Reply) => reply.code(r.status).headers(r.headers).send(r.body);
const app = Fastify();
// Webhooks are verified over the exact bytes received, so JSON is not parsed before the route sees it.
app.removeContentTypeParser('application/json');
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.get('/limited', { onRequest: rateLimit(common.globalLimit) }, async () => ({ ok: true }));
app.post('/webhook', async (request, reply) => {
  send(reply, await common.webhook(fromNodeRequest(request.raw), new Uint8Array(request.body as Buffer)));
});
app.post('/login', async (_request, reply) => send(reply, await common.login()));
app.post('/refresh', async (request, reply) => {
  const body = JSON.parse((request.body as Buffer).toString('utf8')) as { refresh_token?: string };
  send(reply, await common.refresh(body.refresh_token));
});
app.get('/stats', async (_request, reply) => send(reply, common.stats()));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
process.on('SIGTERM', () => app.close().then(() => common.close().finally(() => process.exit(0))));

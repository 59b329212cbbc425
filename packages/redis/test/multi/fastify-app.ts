import { rateLimit, rawWebhookBody, verifyWebhook } from '@bulwark/fastify';
import Fastify, { type FastifyReply } from 'fastify';
import { makeApp, type Reply } from './app-common.js';

const common = await makeApp();
const send = (reply: FastifyReply, r: Reply) => reply.code(r.status).headers(r.headers).send(r.body);
const app = Fastify();
app.get('/limited', { onRequest: rateLimit(common.globalLimit) }, async () => ({ ok: true }));
await app.register(async (scope) => {
  await scope.register(rawWebhookBody);
  scope.post('/webhook', { preHandler: verifyWebhook(common.webhooks) }, async (_request, reply) =>
    send(reply, await common.processWebhook()),
  );
});
app.post('/login', async (_request, reply) => send(reply, await common.login()));
app.post('/refresh', async (request, reply) => {
  send(reply, await common.refresh((request.body as { refresh_token?: string }).refresh_token));
});
app.get('/stats', async (_request, reply) => send(reply, common.stats()));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
process.on('SIGTERM', () => app.close().then(() => common.close().finally(() => process.exit(0))));

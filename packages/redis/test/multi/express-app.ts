import { rateLimit, verifyWebhook } from '@bulwark/express';
import express, { type Response } from 'express';
import { makeApp, type Reply } from './app-common.js';

const common = await makeApp();
const send = (res: Response, reply: Reply) => res.status(reply.status).set(reply.headers).send(reply.body);
const app = express();
app.get('/limited', rateLimit(common.globalLimit), (_req, res) => {
  res.json({ ok: true });
});
app.post('/webhook', verifyWebhook(common.webhooks), async (_req, res) => {
  send(res, await common.processWebhook());
});
app.post('/login', async (_req, res) => send(res, await common.login()));
app.post('/refresh', express.json(), async (req, res) => {
  send(res, await common.refresh((req.body as { refresh_token?: string }).refresh_token));
});
app.get('/stats', (_req, res) => send(res, common.stats()));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => common.close().finally(() => process.exit(0))));

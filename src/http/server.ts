/**
 * The customer HTTP edge of a node (`http: { host, port, tls }`): the REST API under /v1 and
 * Kannel's /cgi-bin/sendsms, on fastify. A message taken here goes the way an SMPP submit
 * goes (intake.ts): the customer's rate, the edge routing, the durable write; it is answered
 * 202 only once Kafka acknowledged it. Every body is validated against the schemas of
 * openapi.ts; every error is `{ error: { code, message, field? } }` with its HTTP status.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { CustomerConfig, GatewayConfig, HttpConfig } from '../config/types.js';
import type { CustomerOverrides } from '../control/customer-controls.js';
import { newMessageId } from '../domain/ids.js';
import { ConfigError, errorMessage } from '../errors.js';
import { WriterQueueFullError } from '../kafka/writer.js';
import type { Logger } from '../log.js';
import type { MessageStateStore } from '../redis/stores/message-state.js';
import { RateExceededError, takeMessages, type IntakeDeps } from '../actors/session/intake.js';
import type { Accepted } from '../actors/session/submit.js';
import { HttpCustomers, type Credentials } from './customer-auth.js';
import type { ClusterBindGuard } from '../actors/session/cluster-bind-guard.js';
import { readTlsFiles } from '../actors/session/edge.js';
import { HttpError, errorBody } from './http-error.js';
import { KANNEL_ACCEPTED, KANNEL_AUTH_FAILED, KannelAnswer, kannelCredentials, kannelMessage, kannelParams } from './kannel.js';
import { acceptRequest, type MessageRequest } from './message-request.js';
import { MESSAGE_STATES, batchSchema, messageSchema, openApiDocument } from './openapi.js';

export interface HttpEdgeDeps {
  config: GatewayConfig;
  http: HttpConfig;
  intake: IntakeDeps;
  states: Pick<MessageStateStore, 'get'>;
  overrides: CustomerOverrides;
  /** The failed-bind slow-down, shared with SMPP: a guesser meets one growing delay per address. */
  guard: Pick<ClusterBindGuard, 'delayFor' | 'failed'>;
  nodeId: string;
  version: string;
  log: Logger;
}

export interface HttpEdge {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Takes the customers of a changed configuration (a reload, the live directory). */
  reconfigure(config: GatewayConfig): void;
  /** Stops taking requests and waits for those under way (each answered once durable). */
  close(): Promise<void>;
}

/** Bodies up to this size (a full batch of long texts). */
const BODY_LIMIT = 8 * 1024 * 1024;

export async function startHttpEdge(deps: HttpEdgeDeps): Promise<HttpEdge> {
  const { log } = deps;
  let customers = new HttpCustomers(deps.config.customers, deps.overrides);
  const tls = deps.http.tls === undefined ? undefined : await readTlsFiles(deps.http.tls, 'http.tls');
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    ...(tls ? { https: tls } : {}),
    // Bodies are checked as sent: unknown fields are errors, not dropped; no type coercion.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  }) as unknown as FastifyInstance;

  // Kannel integrations post forms.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (req.url.startsWith('/cgi-bin/')) return kannelError(err, reply);
    const e = asHttpError(err);
    if (e.status >= 500) log.warn('HTTP request failed', { path: req.url, status: e.status, code: e.code, error: e.message });
    return send(reply, e);
  });
  app.setNotFoundHandler((req, reply) => send(reply, new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  const who = (req: FastifyRequest, c: Credentials = { authorization: req.headers.authorization, apiKey: header(req, 'x-api-key') }): Promise<CustomerConfig> =>
    customers.authenticate(c, req.ip).catch(async (err: unknown) => {
      // Wrong credentials are answered late, later with every failure from the address (the
      // success path asks nothing more of Redis).
      if (err instanceof HttpError && err.code === 'BAD_CREDENTIALS') {
        await deps.guard.failed(req.ip, Date.now());
        const delay = await deps.guard.delayFor(req.ip, Date.now());
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
      throw err;
    });

  const take = async (customer: CustomerConfig, batch: Accepted[], now: number): Promise<string[]> => {
    try {
      return await takeMessages(deps.intake, customer, batch, { edge: 'http' }, log, now);
    } catch (err) {
      throw intakeError(err);
    }
  };

  app.post<{ Body: MessageRequest }>('/v1/messages', { schema: { body: messageSchema } }, async (req, reply) => {
    const customer = await who(req);
    const now = Date.now();
    const accepted = acceptRequest(req.body, { customer: customer.systemId, messageId: newMessageId(now), node: deps.nodeId, now });
    const [id] = await take(customer, [accepted], now);
    return reply.code(202).send({ id, parts: accepted.parts });
  });

  app.post<{ Body: { messages: MessageRequest[] } }>('/v1/messages/batch', { schema: { body: batchSchema } }, async (req, reply) => {
    const customer = await who(req);
    const now = Date.now();
    // Every message checked before any is taken: a bad one fails the batch, naming it.
    const batch = req.body.messages.map((m, i) => acceptRequest(m, {
      customer: customer.systemId, messageId: newMessageId(now), node: deps.nodeId, now, path: `messages[${i}].`,
    }));
    const ids = await take(customer, batch, now);
    return reply.code(202).send({ messages: ids.map((id, i) => ({ id, parts: batch[i]!.parts })) });
  });

  app.get<{ Params: { id: string } }>('/v1/messages/:id', async (req) => {
    const customer = await who(req);
    let s;
    try {
      s = await deps.states.get(req.params.id);
    } catch (err) {
      throw new HttpError(503, 'STATE_UNAVAILABLE', `message states cannot be read now: ${errorMessage(err)}`, undefined, 5);
    }
    // Another customer's id is as unknown as one that never was.
    if (!s || s.customer !== customer.systemId) throw new HttpError(404, 'NOT_FOUND', `no message ${req.params.id} of ${customer.systemId} (or its state expired)`);
    return {
      id: req.params.id, state: MESSAGE_STATES[s.state] ?? 'UNKNOWN', final: s.finalAt > 0,
      finalAt: s.finalAt > 0 ? new Date(s.finalAt).toISOString() : null, errorCode: s.errorCode,
    };
  });

  const document = openApiDocument(deps.version);
  app.get('/v1/openapi.json', async () => document);

  const sendsms = async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.method === 'POST' && typeof req.body === 'string' ? req.body : (req.url.split('?')[1] ?? '');
    const { params, octets } = kannelParams(raw);
    const creds = kannelCredentials(params);
    if (!creds) throw new KannelAnswer(403, KANNEL_AUTH_FAILED);
    let customer: CustomerConfig;
    try {
      customer = await who(req, { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` });
    } catch {
      throw new KannelAnswer(403, KANNEL_AUTH_FAILED);
    }
    const now = Date.now();
    const accepted = kannelMessage(params, octets, { customer: customer.systemId, messageId: newMessageId(now), node: deps.nodeId, now });
    await take(customer, [accepted], now);
    return reply.code(202).type('text/plain; charset=utf-8').send(KANNEL_ACCEPTED);
  };
  app.get('/cgi-bin/sendsms', sendsms);
  app.post('/cgi-bin/sendsms', sendsms);

  const address = await app.listen({ host: deps.http.host, port: deps.http.port }).catch((err: unknown) => {
    throw new ConfigError('http.port', `cannot listen on ${deps.http.host}:${deps.http.port}: ${errorMessage(err)}`, deps.http.port);
  });
  const port = Number(new URL(address).port);
  log.info('customer HTTP API listening', { host: deps.http.host, port, tls: tls !== undefined });
  return {
    host: deps.http.host, port, tls: tls !== undefined,
    reconfigure: (config) => { customers = new HttpCustomers(config.customers, deps.overrides); },
    close: () => app.close(),
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(reply: FastifyReply, e: HttpError): FastifyReply {
  if (e.retryAfterS !== undefined) void reply.header('Retry-After', String(e.retryAfterS));
  if (e.status === 401) void reply.header('WWW-Authenticate', 'Basic realm="smsgw", charset="UTF-8"');
  return reply.code(e.status).type('application/json; charset=utf-8').send(errorBody(e));
}

/** What the intake refused, as the customer is told it. */
function intakeError(err: unknown): unknown {
  if (err instanceof RateExceededError) {
    return new HttpError(429, 'RATE_EXCEEDED', err.message, undefined, Math.max(1, Math.ceil(err.parts / err.rate)));
  }
  if (err instanceof WriterQueueFullError) return new HttpError(503, 'BUSY', 'the node has too many messages waiting for Kafka; nothing was accepted', undefined, 1);
  if (err instanceof HttpError) return err;
  return new HttpError(503, 'KAFKA_UNAVAILABLE', `the message could not be made durable; nothing was accepted: ${errorMessage(err)}`, undefined, 5);
}

/** fastify's own errors (schema, JSON syntax, body size, media type) in the API's shape. */
function asHttpError(err: FastifyError | HttpError): HttpError {
  if (err instanceof HttpError) return err;
  const v = (err as FastifyError).validation?.[0];
  if (v) {
    const params = v.params as Record<string, unknown>;
    const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
    const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
    const base = fieldPath(v.instancePath);
    const field = [base, missing ?? extra].filter((s) => s !== undefined && s !== '').join('.');
    const message = extra !== undefined ? `unknown field ${extra}` : `${field || 'body'} ${v.message ?? 'is not valid'}`;
    return new HttpError(400, extra !== undefined ? 'UNKNOWN_FIELD' : 'BAD_FIELD', message, field || undefined);
  }
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
  if (status >= 500) return new HttpError(500, 'INTERNAL', 'the gateway failed to handle the request');
  return new HttpError(status, err.code ?? 'BAD_REQUEST', err.message);
}

/** `/messages/3/to` → `messages[3].to` */
function fieldPath(instancePath: string): string {
  return instancePath.split('/').filter(Boolean).reduce((p, seg) => (/^\d+$/.test(seg) ? `${p}[${seg}]` : p === '' ? seg : `${p}.${seg}`), '');
}

/** Kannel's clients read plain text. */
function kannelError(err: unknown, reply: FastifyReply): FastifyReply {
  const e = err instanceof KannelAnswer ? err : err instanceof HttpError
    ? new KannelAnswer(err.status, err.status === 429 || err.status >= 500 ? 'Temporal failure, try again later.' : `${err.message}, rejected`)
    : new KannelAnswer(500, 'Temporal failure, try again later.');
  if (err instanceof HttpError && err.retryAfterS !== undefined) void reply.header('Retry-After', String(err.retryAfterS));
  return reply.code(e.status === 429 ? 503 : e.status).type('text/plain; charset=utf-8').send(e.message);
}

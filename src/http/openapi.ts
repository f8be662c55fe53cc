/**
 * The HTTP API's contract: the JSON schemas the routes validate bodies with, and the OpenAPI 3
 * document built from the same schemas (`GET /v1/openapi.json`), so the two cannot drift. A
 * spec checks that every route is in the document and every path of the document is served.
 */
import { TEXT_ENCODINGS } from './message-request.js';

/** The most messages in one batch request. */
export const MAX_BATCH = 1000;

export const messageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    to: { type: 'string', minLength: 1, maxLength: 21, description: 'Destination number, international, digits with an optional leading +' },
    from: { type: 'string', maxLength: 21, description: 'Sender: +digits (international), digits (short code or national) or up to 11 letters and digits' },
    text: { type: 'string', maxLength: 40000, description: 'The text; split into parts by the gateway when long' },
    binary: { type: 'string', maxLength: 60000, description: 'Octets, base64 (data_coding 4); instead of text' },
    encoding: { type: 'string', enum: [...TEXT_ENCODINGS], description: 'auto (default): GSM 03.38 when the text fits it, else UCS-2' },
    receipt: { type: 'boolean', description: 'Delivery receipt wanted (default true)' },
    validity: {
      description: 'Not delivered after: seconds from now, or an RFC 3339 instant',
      anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', format: 'date-time' }],
    },
    schedule: { type: 'string', format: 'date-time', description: 'Not delivered before this RFC 3339 instant' },
    reference: { type: 'string', maxLength: 64, description: 'Your own reference, kept in the message\'s accepted event (smsgw trace shows it)' },
  },
} as const;

export const batchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messages'],
  properties: { messages: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: messageSchema } },
} as const;

const acceptedSchema = {
  type: 'object',
  required: ['id', 'parts'],
  properties: {
    id: { type: 'string', description: 'The message id, as in receipts and GET /v1/messages/{id}' },
    parts: { type: 'integer', description: 'SMS parts the message needs (what the rate limit counts)' },
  },
} as const;

export const MESSAGE_STATES = ['SCHEDULED', 'ENROUTE', 'DELIVERED', 'EXPIRED', 'DELETED', 'UNDELIVERABLE', 'ACCEPTED', 'UNKNOWN', 'REJECTED'] as const;

const stateSchema = {
  type: 'object',
  required: ['id', 'state', 'final', 'finalAt', 'errorCode'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: [...MESSAGE_STATES], description: 'As query_sm tells it (SMPP message_state)' },
    final: { type: 'boolean' },
    finalAt: { type: ['string', 'null'], format: 'date-time' },
    errorCode: { type: 'integer', description: 'The network error code of the receipt; 0 when none' },
  },
} as const;

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string', description: 'The body field at fault, e.g. messages[3].to' },
      },
    },
  },
} as const;

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const errors = {
  400: { description: 'A field is missing or wrong (error.field names it)', ...json({ $ref: '#/components/schemas/Error' }) },
  401: { description: 'No or wrong credentials', ...json({ $ref: '#/components/schemas/Error' }) },
  403: { description: 'The customer may not send from this address, or is blocked', ...json({ $ref: '#/components/schemas/Error' }) },
  429: { description: 'Over the customer\'s rate (parts per second); Retry-After says when to try again', ...json({ $ref: '#/components/schemas/Error' }) },
  503: { description: 'Kafka cannot take the message now; nothing was accepted', ...json({ $ref: '#/components/schemas/Error' }) },
};

/** The paths and methods the document describes (the routes must serve exactly these). */
export const API_ROUTES = [
  ['post', '/v1/messages'],
  ['post', '/v1/messages/batch'],
  ['get', '/v1/messages/{id}'],
  ['get', '/v1/openapi.json'],
  ['get', '/cgi-bin/sendsms'],
  ['post', '/cgi-bin/sendsms'],
] as const;

export function openApiDocument(version: string): Record<string, unknown> {
  const kannel = {
    tags: ['Kannel'],
    summary: 'Kannel-compatible sendsms: username, password, to, from, text, coding (0, 1, 2), udh, validity and deferred (minutes)',
    security: [],
    responses: {
      202: { description: '0: Accepted for delivery', content: { 'text/plain': { schema: { type: 'string' } } } },
      400: { description: 'A parameter is wrong (the text says which)', content: { 'text/plain': { schema: { type: 'string' } } } },
      403: { description: 'Authorization failed for sendsms', content: { 'text/plain': { schema: { type: 'string' } } } },
      503: { description: 'Temporal failure, try again later', content: { 'text/plain': { schema: { type: 'string' } } } },
    },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'smsgw customer HTTP API', version },
    servers: [{ url: '/' }],
    security: [{ basic: [] }, { bearer: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'The customer\'s systemId and password' },
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key of the customer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Message: toOpenApi(messageSchema), Batch: toOpenApi(batchSchema), Accepted: acceptedSchema, MessageState: toOpenApi(stateSchema), Error: errorSchema,
      },
    },
    paths: {
      '/v1/messages': {
        post: {
          summary: 'Send a message; answered once it is durable in Kafka',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/Message' }) },
          responses: { 202: { description: 'Accepted', ...json({ $ref: '#/components/schemas/Accepted' }) }, ...errors },
        },
      },
      '/v1/messages/batch': {
        post: {
          summary: `Send up to ${MAX_BATCH} messages: all checked first, taken within the rate together, written together`,
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/Batch' }) },
          responses: {
            202: { description: 'All accepted, in the order sent', ...json({ type: 'object', required: ['messages'], properties: { messages: { type: 'array', items: { $ref: '#/components/schemas/Accepted' } } } }) },
            ...errors,
          },
        },
      },
      '/v1/messages/{id}': {
        get: {
          summary: 'The state of a message, as query_sm tells it',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'Its state', ...json({ $ref: '#/components/schemas/MessageState' }) },
            401: errors[401], 403: errors[403],
            404: { description: 'No message of this customer has this id (or its state expired)', ...json({ $ref: '#/components/schemas/Error' }) },
            503: { description: 'The state store cannot be reached', ...json({ $ref: '#/components/schemas/Error' }) },
          },
        },
      },
      '/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3', ...json({ type: 'object' }) } } },
      },
      '/cgi-bin/sendsms': { get: kannel, post: kannel },
    },
  };
}

/** OpenAPI 3.0 has no type lists and no `const`: a nullable type instead of ['x', 'null']. */
function toOpenApi(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApi);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = toOpenApi(v);
  if (Array.isArray(out.type)) {
    const types = (out.type as string[]).filter((t) => t !== 'null');
    out.type = types[0];
    if (types.length < (schema as { type: string[] }).type.length) out.nullable = true;
  }
  return out;
}

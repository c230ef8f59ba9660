import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from './openapi-document.js';
import { NAMED_SCHEMAS, REST_API_ROUTES } from './rest-api.routes.js';
import type { RouteDescription } from './route-description.js';

const info = { title: 'test', version: '0' };
type JsonObject = Record<string, unknown>;

describe('buildOpenApiDocument', () => {
  const Item = z.object({ id: z.string(), price: z.string().regex(/^\d+$/) });
  const ItemList = z.object({ items: z.array(Item) });
  const routes: RouteDescription[] = [
    {
      method: 'get',
      path: '/api/items',
      operationId: 'listItems',
      summary: 'items',
      tag: 'items',
      access: ['trader', 'admin'],
      query: z.object({
        q: z.string().meta({ description: 'what to look for' }),
        limit: z.coerce.number().int().max(10).default(5),
      }),
      responses: { 200: { description: 'the items', schema: ItemList } },
    },
    {
      method: 'post',
      path: '/api/items',
      operationId: 'addItem',
      summary: 'add',
      tag: 'items',
      access: 'public',
      body: Item,
      responses: { 200: { description: 'added', schema: Item } },
    },
  ];
  const document = buildOpenApiDocument(routes, { Item, ItemList }, info);

  it('names answers as components and refers to them, inside other components too', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas.ItemList).toEqual({
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Item' } } },
      required: ['items'],
      additionalProperties: false,
    });
    const list = document.paths['/api/items'].get as { responses: Record<string, unknown> };
    expect(list.responses['200']).toEqual({
      description: 'the items',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ItemList' } } },
    });
  });

  it('writes a query as parameters with their constraints, defaults and descriptions', () => {
    const list = document.paths['/api/items'].get as { parameters: unknown[] };
    expect(list.parameters).toEqual([
      { name: 'q', in: 'query', required: true, description: 'what to look for', schema: { type: 'string' } },
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', default: 5, minimum: -9007199254740991, maximum: 10 },
      },
    ]);
  });

  it('adds 400 for a validated route, 401 for a guarded one and 403 when only some roles may', () => {
    const list = document.paths['/api/items'].get as Record<string, unknown>;
    expect(Object.keys(list.responses as object).sort()).toEqual(['200', '400', '401', '403']);
    expect(list.security).toEqual([{ bearerAuth: [] }]);
    expect(list['x-roles']).toEqual(['trader', 'admin']);
    const add = document.paths['/api/items'].post as Record<string, unknown>;
    expect(add.security).toEqual([]);
    expect(Object.keys(add.responses as object).sort()).toEqual(['200', '400']);
    expect(add.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
    });
    expect(document.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  });
});

describe('the gateway document', () => {
  const document = buildOpenApiDocument(REST_API_ROUTES, NAMED_SCHEMAS, info);
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );

  it('describes every route of the gateway', () => {
    expect(operations.sort()).toEqual([
      'GET /api/flows/verbs',
      'GET /api/flows/{account}/{flowId}',
      'GET /api/market/candles',
      'GET /api/market/snapshot',
      'GET /api/openapi.json',
      'GET /api/pnl/daily',
      'GET /api/trades',
      'GET /api/trades.csv',
      'GET /health',
      'GET /metrics',
      'GET /ready',
      'POST /api/auth/login',
      'POST /api/auth/refresh',
      'POST /api/flows/buy',
      'POST /api/flows/cancel-orders',
      'POST /api/flows/convert',
      'POST /api/flows/deposit-address',
      'POST /api/flows/reprice',
      'POST /api/flows/sell',
      'POST /api/flows/transfer',
      'POST /api/flows/{account}/{flowId}/cancel',
      'POST /api/push/poll',
    ]);
  });

  it("writes path and header parameters, and each verb's start with that verb's input schema", () => {
    const cancel = document.paths['/api/flows/{account}/{flowId}/cancel'].post as {
      parameters: { name: string; in: string; required: boolean }[];
      responses: Record<string, unknown>;
    };
    expect(cancel.parameters.map(({ name, in: where, required }) => [name, where, required])).toEqual([
      ['account', 'path', true],
      ['flowId', 'path', true],
    ]);
    expect(Object.keys(cancel.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '502',
      '503',
    ]);
    const buy = document.paths['/api/flows/buy'].post as {
      parameters: { name: string; in: string; required: boolean }[];
      requestBody: { content: { 'application/json': { schema: JsonObject } } };
      responses: Record<string, unknown>;
      'x-roles': string[];
    };
    expect(buy.parameters).toMatchObject([{ name: 'Idempotency-Key', in: 'header', required: false }]);
    const body = buy.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['account', 'input']);
    const input = (body.properties as Record<string, JsonObject>).input;
    expect(Object.keys(input.properties as object)).toContain('amount');
    expect(input.required).toContain('amount');
    expect(buy['x-roles']).toEqual(['trader', 'admin']);
    expect(Object.keys(buy.responses).sort()).toEqual([
      '200',
      '201',
      '400',
      '401',
      '403',
      '409',
      '422',
      '502',
      '503',
    ]);
  });

  it('has no dangling reference and unique operation ids', () => {
    const text = JSON.stringify(document);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(document.components.schemas, ref).toHaveProperty(ref);
    const ids = REST_API_ROUTES.map((route) => route.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

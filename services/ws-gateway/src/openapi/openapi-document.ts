// Builds the OpenAPI 3.1 document from route descriptions: every schema comes from z.toJSONSchema
// (JSON Schema 2020-12, which OpenAPI 3.1 uses as is); named answers become components.
import { z } from 'zod';
import { ROLES } from '../auth/roles.js';
import { CodedErrorBody, HttpErrorBody, ValidationErrorBody } from './api-error.schema.js';
import type { RouteDescription, RouteResponse } from './route-description.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: OpenApiInfo;
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

/** The built document, provided by OpenApiModule. */
export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

const BEARER = 'bearerAuth';
const COMPONENT_PREFIX = '#/components/schemas/';
const ERROR_SCHEMAS = {
  ValidationError: ValidationErrorBody,
  CodedError: CodedErrorBody,
  HttpError: HttpErrorBody,
};

/**
 * The document of `routes`. `named` answers are components referenced by `$ref` wherever they appear
 * (inside other named answers too); any other schema is written inline.
 */
export function buildOpenApiDocument(
  routes: readonly RouteDescription[],
  named: Readonly<Record<string, z.ZodType>>,
  info: OpenApiInfo,
): OpenApiDocument {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries({ ...named, ...ERROR_SCHEMAS })) registry.add(schema, { id });
  const components = z.toJSONSchema(registry, {
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
    unrepresentable: 'any',
  }).schemas;
  const schemas = Object.fromEntries(Object.entries(components).map(([id, schema]) => [id, bare(schema)]));
  const refOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const id = registry.get(schema)?.id;
    return id !== undefined ? { $ref: `${COMPONENT_PREFIX}${id}` } : inline(schema, io);
  };

  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path][route.method] = operationOf(route, refOf);
  }
  return {
    openapi: '3.1.0',
    info,
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: { [BEARER]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

function operationOf(
  route: RouteDescription,
  refOf: (schema: z.ZodType, io: 'input' | 'output') => JsonSchema,
): JsonSchema {
  const responses: Record<string, RouteResponse> = { ...route.responses };
  if (route.params !== undefined || route.query !== undefined || route.body !== undefined)
    responses[400] ??= {
      description: 'a bad path, query or body: `details` names each field',
      schema: ValidationErrorBody,
    };
  const roles = route.access === 'public' ? undefined : route.access;
  if (roles !== undefined) {
    responses[401] ??= { description: 'no valid bearer access token', schema: CodedErrorBody };
    if (roles.length < ROLES.length)
      responses[403] ??= {
        description: `the token's role is not ${roles.join(' or ')}`,
        schema: HttpErrorBody,
      };
  }
  const access = roles === undefined ? 'Public.' : `Roles: ${roles.join(', ')}.`;
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description === undefined ? access : `${route.description}\n\n${access}`,
    tags: [route.tag],
    security: roles === undefined ? [] : [{ [BEARER]: [] }],
    ...(roles === undefined ? {} : { 'x-roles': [...roles] }),
    ...(route.params === undefined && route.query === undefined && route.headerParams === undefined
      ? {}
      : {
          parameters: [
            ...(route.params === undefined ? [] : parametersOf(route.params, 'path')),
            ...(route.query === undefined ? [] : parametersOf(route.query, 'query')),
            ...(route.headerParams === undefined ? [] : parametersOf(route.headerParams, 'header')),
          ],
        }),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: refOf(route.body, 'input') } },
          },
        }),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, response]) => [status, responseOf(response, refOf)]),
    ),
  };
}

function responseOf(
  response: RouteResponse,
  refOf: (schema: z.ZodType, io: 'input' | 'output') => JsonSchema,
): JsonSchema {
  return {
    description: response.description,
    ...(response.headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        }),
    ...(response.schema === undefined
      ? {}
      : {
          content: {
            [response.contentType ?? 'application/json']: { schema: refOf(response.schema, 'output') },
          },
        }),
  };
}

/** One parameter per field of the schema, as the client writes it (the input side); a path one is always required. */
function parametersOf(fields: z.ZodObject, where: 'path' | 'query' | 'header'): JsonSchema[] {
  const schema = inline(fields, 'input');
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function inline(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return bare(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema);
}

/** Without `$schema` and `$id`: OpenAPI 3.1's own dialect is JSON Schema 2020-12 already. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

import { Module } from '@nestjs/common';
import { buildOpenApiDocument, OPENAPI_DOCUMENT } from './openapi-document.js';
import { OpenApiController } from './openapi.controller.js';
import { NAMED_SCHEMAS, REST_API_ROUTES } from './rest-api.routes.js';

/** The REST API's version: bumped on a breaking change of a route. */
export const REST_API_VERSION = '1.0.0';

/** `GET /api/openapi.json`, built once at start from the route descriptions. */
@Module({
  controllers: [OpenApiController],
  providers: [
    {
      provide: OPENAPI_DOCUMENT,
      useFactory: () =>
        buildOpenApiDocument(REST_API_ROUTES, NAMED_SCHEMAS, {
          title: 'tm-engine ws-gateway',
          version: REST_API_VERSION,
          description:
            'The REST API of ws-gateway. Sign in with POST /api/auth/login and send ' +
            '`Authorization: Bearer <accessToken>`; live data comes over socket.io (see the README).',
        }),
    },
  ],
})
export class OpenApiModule {}

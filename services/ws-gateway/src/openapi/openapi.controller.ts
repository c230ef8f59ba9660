import { Controller, Get, Inject } from '@nestjs/common';
import { OPENAPI_DOCUMENT, type OpenApiDocument } from './openapi-document.js';

/** `GET /api/openapi.json`: the gateway's REST API, public so clients and tools can read it before signing in. */
@Controller('api')
export class OpenApiController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {}

  @Get('openapi.json')
  openApi(): OpenApiDocument {
    return this.document;
  }
}

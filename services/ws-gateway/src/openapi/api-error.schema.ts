// The bodies every REST error of the gateway answers with, as zod schemas the document is generated from.
import { z } from 'zod';

/** 400 from ZodBodyPipe and ZodQueryPipe: `details` names every failing field (`limit: Too big…`). */
export const ValidationErrorBody = z.object({
  statusCode: z.literal(400),
  error: z.string().optional(),
  message: z.string(),
  details: z.array(z.string()).describe('one `field: why` per failing field'),
});

/** A refusal with a code (401 INVALID_TOKEN, 404 NO_MARKET_DATA, 503 MARKET_DATA_UNAVAILABLE, …). */
export const CodedErrorBody = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
});

/** Nest's own HttpException body (403 outside the role). */
export const HttpErrorBody = z.object({
  statusCode: z.number().int(),
  message: z.string(),
  error: z.string().optional(),
});

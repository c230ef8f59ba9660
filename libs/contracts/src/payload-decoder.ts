import type { z } from 'zod';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string; details: string[] };

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and validates a payload where it enters a service. The reason names every failing field
 * (`action: Invalid option…`), so a dead letter says what was wrong without a stack trace.
 */
export function decodePayload<S extends z.ZodType>(
  schema: S,
  data: Uint8Array | string,
): DecodeResult<z.infer<S>> {
  let text: string;
  try {
    text = typeof data === 'string' ? data : decoder.decode(data);
  } catch {
    return { ok: false, reason: 'payload is not valid UTF-8', details: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `payload is not JSON: ${(error as Error).message}`, details: [] };
  }
  return validatePayload(schema, json);
}

export function validatePayload<S extends z.ZodType>(schema: S, value: unknown): DecodeResult<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const details = parsed.error.issues.map(
    (issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  return { ok: false, reason: `invalid payload: ${details.join('; ')}`, details };
}

export function encodePayload(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

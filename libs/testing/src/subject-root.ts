import { randomBytes } from 'node:crypto';

/** A subject root of its own for one test file (`t1a2b3c4d`), so parallel runs never hear each other. */
export function uniqueSubjectRoot(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

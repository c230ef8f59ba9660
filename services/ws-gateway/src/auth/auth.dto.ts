// The bodies of /api/auth, validated where they enter; the bounds keep a hostile body from costing much.
import { z } from 'zod';
import type { Role } from './roles.js';

export const LoginRequest = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1_024),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const RefreshRequest = z.object({
  refreshToken: z.string().min(1).max(4_096),
});
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** What login and refresh answer; `expiresIn` is the access token's lifetime in seconds. */
export interface TokenPairResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  role: Role;
}

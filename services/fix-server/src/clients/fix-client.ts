import { z } from 'zod';

// A FIX client: who may log on (SenderCompID and password), its limits and the accounts it trades for.
const compId = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1–32 letters, digits or _.-');
const account = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');
const password = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(72, 'must be at most 72 characters');

export interface FixClient {
  senderCompId: string;
  passwordHash: string;
  enabled: boolean;
  maxMessagesPerSecond: number;
  maxSubscriptions: number;
  allowedAccounts: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** What the admin API shows of a client: never its password hash. */
export type FixClientView = Omit<FixClient, 'passwordHash'>;

export const CreateFixClientBody = z.strictObject({
  senderCompId: compId,
  password,
  enabled: z.boolean().default(true),
  maxMessagesPerSecond: z.number().int().min(1).max(100_000).optional(),
  maxSubscriptions: z.number().int().min(0).max(10_000).optional(),
  allowedAccounts: z.array(account).max(1_000).default([]),
});
export type CreateFixClientBody = z.infer<typeof CreateFixClientBody>;

export const UpdateFixClientBody = z
  .strictObject({
    password: password.optional(),
    enabled: z.boolean().optional(),
    maxMessagesPerSecond: z.number().int().min(1).max(100_000).optional(),
    maxSubscriptions: z.number().int().min(0).max(10_000).optional(),
    allowedAccounts: z.array(account).max(1_000).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });
export type UpdateFixClientBody = z.infer<typeof UpdateFixClientBody>;

export const SenderCompIdParam = compId;

export function viewOf(client: FixClient): FixClientView {
  const { passwordHash: _hidden, ...view } = client;
  return view;
}

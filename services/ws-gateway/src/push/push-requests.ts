import { z } from 'zod';

/** A reconnecting client's resume point: the epoch of its last push and the last sequence it holds per topic. */
export const ResumePointV1 = z.object({
  epoch: z.string().min(1),
  lastSeq: z.record(z.string(), z.number().int().nonnegative()),
});

/** socket.io `watch` and `unwatch`. */
export const WatchRequestV1 = z.object({
  patterns: z.array(z.string()).min(1).max(100),
  resume: ResumePointV1.optional(),
});
export type WatchRequestV1 = z.infer<typeof WatchRequestV1>;

/** `POST /api/push/poll`: concrete topics, and where the client's copy of each event topic stands. */
export const PollRequest = z.object({
  topics: z.array(z.string()).min(1).max(100),
  resume: ResumePointV1.optional(),
});
export type PollRequest = z.infer<typeof PollRequest>;

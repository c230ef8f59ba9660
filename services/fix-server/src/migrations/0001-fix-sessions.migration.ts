import type { SqlMigration } from '@tm/persistence';

// FIX clients (one row per SenderCompID, read at every logon so changes apply without a restart), and
// each session's sequence numbers and sent messages, so a restart resumes the session and answers
// ResendRequests for what was sent before it.
export const fixSessionsMigration: SqlMigration = {
  id: '0001_fix_sessions',
  up: (s) => `
    CREATE TABLE ${s}.fix_clients (
      sender_comp_id text PRIMARY KEY CHECK (sender_comp_id ~ '^[A-Za-z0-9_.-]{1,32}$'),
      password_hash text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      max_messages_per_second integer NOT NULL CHECK (max_messages_per_second > 0),
      max_subscriptions integer NOT NULL CHECK (max_subscriptions >= 0),
      allowed_accounts text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE ${s}.fix_session_sequences (
      session_id text PRIMARY KEY,
      next_sender_seq integer NOT NULL CHECK (next_sender_seq >= 1),
      next_target_seq integer NOT NULL CHECK (next_target_seq >= 1),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE ${s}.fix_sent_messages (
      session_id text NOT NULL,
      seq integer NOT NULL,
      msg_type text NOT NULL,
      sent_at timestamptz NOT NULL,
      encoded text NOT NULL,
      CONSTRAINT fix_sent_messages_pkey PRIMARY KEY (session_id, seq)
    );
  `,
  down: (s) => `
    DROP TABLE ${s}.fix_sent_messages;
    DROP TABLE ${s}.fix_session_sequences;
    DROP TABLE ${s}.fix_clients;
  `,
};

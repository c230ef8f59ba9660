import type { SqlMigration } from '@tm/persistence';

// Who may sign in (bcrypt hashes, one role each) and every refresh token issued: a refresh token is
// spent once (rotation), and presenting a spent one revokes its whole family (every token rotated from
// the same login), because only a stolen copy would be presented twice.
export const usersMigration: SqlMigration = {
  id: '0001_users',
  up: (s) => `
    CREATE TABLE ${s}.users (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      username text NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_pk PRIMARY KEY (id)
    );
    -- Case-insensitive, so "Admin" cannot pass for "admin".
    CREATE UNIQUE INDEX users_username_key ON ${s}.users (lower(username));

    CREATE TABLE ${s}.refresh_tokens (
      jti uuid NOT NULL,
      family_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      issued_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      CONSTRAINT refresh_tokens_pk PRIMARY KEY (jti)
    );
    CREATE INDEX refresh_tokens_family_idx ON ${s}.refresh_tokens (family_id);
    CREATE INDEX refresh_tokens_user_expiry_idx ON ${s}.refresh_tokens (user_id, expires_at);
  `,
  down: (s) => `
    DROP TABLE ${s}.refresh_tokens;
    DROP TABLE ${s}.users;
  `,
};

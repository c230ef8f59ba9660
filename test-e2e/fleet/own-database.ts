import { ensureDatabase } from '@tm/persistence';
import pg from 'pg';

export interface OwnDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database named after the shared one with `suffix`, made fresh; `drop` removes it. */
export async function ownDatabase(sharedUrl: string, suffix: string): Promise<OwnDatabase> {
  const shared = new URL(sharedUrl);
  const name = `${shared.pathname.slice(1)}_${suffix}`;
  await ensureDatabase(shared.toString(), name);
  const own = new URL(shared);
  own.pathname = `/${name}`;
  return {
    url: own.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: sharedUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

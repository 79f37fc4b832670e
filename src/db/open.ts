import type { Config } from '../config.ts';
import { createDb, type Db } from './client.ts';
import { openEmbeddedDatabase } from './embedded.ts';
import { applyMigrations } from './migrate.ts';

export interface OpenDatabase {
  db: Db;
  url: string;
  /** True on the embedded PostgreSQL (no DATABASE_URL): the only database a demo may be added to. */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or to the embedded PostgreSQL when it is unset (starting it if no
 * other process runs it), and applies pending migrations.
 */
export async function openDatabase(config: Config, log: (line: string) => void = () => {}): Promise<OpenDatabase> {
  const embedded = config.databaseUrl ? null : await openEmbeddedDatabase(config.dataDir, log);
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const applied = await applyMigrations(url);
    if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const db = createDb(url);
  return {
    db,
    url,
    embedded: embedded !== null,
    async close() {
      await db.$disconnect();
      if (embedded?.owned) await embedded.stop();
    },
  };
}

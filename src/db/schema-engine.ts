// Prisma's WebAssembly schema engine (@prisma/schema-engine-wasm) driven through @prisma/adapter-pg,
// so that migration SQL can be computed where the Prisma CLI's native schema engine cannot be
// downloaded. Used by `npm run migration:new` and test/migrations-drift.test.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type ErrorRegistry,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

const SCHEMA_PATH = 'schema.prisma';
const NO_FILTERS = { externalTables: [], externalEnums: [] };
/** PostgreSQL's internal one-byte "char" type (pg_class.relkind, pg_constraint.contype, ...). */
const CHAR_OID = 18;
const TEXT_OID = 25;

type PanicRegistry = { set_message(message: string): void };
const withPanicRegistry = globalThis as typeof globalThis & { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };

let loaded: Promise<void> | undefined;

/** Instantiates the engine's WebAssembly module once (importing the package itself fails on Node 20). */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    // The engine reports a Rust panic here before it traps; without it the message is lost.
    withPanicRegistry.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message(message) {
        throw new Error(`Prisma schema engine panicked: ${message}`);
      },
    };
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const { instance } = await WebAssembly.instantiate(readFileSync(join(dir, 'schema_engine_bg.wasm')), {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loaded;
}

/**
 * adapter-pg on a pool of its own that lets PostgreSQL's "char" through as the engine's Character
 * type: adapter-pg rejects oid 18, which the engine reads from pg_catalog while introspecting (and
 * reading it as text makes the engine panic on CHECK constraints).
 */
function charAwareFactory(connectionString: string): { factory: SqlMigrationAwareDriverAdapterFactory; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: 2 });
  const charColumns = new WeakMap<unknown[], number[]>(); // result rows -> indexes of "char" columns
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  // A diff's queries go through pool.query(config), awaited; values of "char" are already strings.
  pool.query = (async (config: pg.QueryConfig) => {
    const result = await query(config);
    const indexes: number[] = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      indexes.push(i);
    });
    if (indexes.length > 0) charColumns.set(result.rows, indexes);
    return result;
  }) as typeof pool.query;

  const pgFactory = new PrismaPg(pool);
  const connect = async (): Promise<SqlDriverAdapter> => {
    const adapter = await pgFactory.connect();
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = async (sqlQuery) => {
      const result = await queryRaw(sqlQuery); // adapter-pg hands pg's rows array on as it is
      for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
      return result;
    };
    return adapter;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: pgFactory.provider,
    adapterName: pgFactory.adapterName,
    connect,
    // adapter-pg 7.10.1 would connect to the main database here (it is given a pool).
    connectToShadowDb: () => Promise.reject(new Error('no shadow database: diff a database you prepared')),
  };
  return { factory, pool };
}

/** Stands in for a database where none is read: answers only the probe the engine runs on start-up. */
function offlineFactory(): SqlMigrationAwareDriverAdapterFactory {
  const refuse = (): Promise<never> => Promise.reject(new Error('this diff reads no database'));
  const adapter: SqlDriverAdapter = {
    provider: 'postgres',
    adapterName: 'easymail-offline',
    queryRaw: async ({ sql }) => {
      if (!sql.startsWith('SELECT EXISTS(SELECT 1 FROM pg_namespace')) return refuse();
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, 'PostgreSQL 15.0', 150000]],
      };
    },
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: refuse,
    dispose: async () => {},
  };
  return {
    provider: 'postgres',
    adapterName: 'easymail-offline',
    connect: async () => adapter,
    connectToShadowDb: refuse,
  };
}

/** The JavaScript error behind the engine's "External error id#N", which the wrapped adapter kept. */
function adapterError(error: unknown, registry: ErrorRegistry): unknown {
  const id = /External error id#(\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return id === undefined ? error : (registry.consumeError(Number(id))?.error ?? error);
}

/** Diffs `from` to `schemaText` on a fresh engine; the database (if any) is the one `databaseUrl` names. */
async function diff(from: bindings.DiffTarget, schemaText: string, databaseUrl?: string): Promise<string> {
  await loadWasm();
  const { factory, pool } =
    databaseUrl === undefined ? { factory: offlineFactory(), pool: undefined } : charAwareFactory(databaseUrl);
  // The engine calls the adapter through { ok, value } results: wrap it as the Prisma CLI does.
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  try {
    const engine = await bindings.SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schemaText]] }, () => {}, adapter);
    try {
      const result = await engine.diff({
        from,
        to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schemaText }] },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      });
      return result.stdout ?? '';
    } finally {
      engine.free();
    }
  } catch (error) {
    throw adapterError(error, adapter.errorRegistry);
  } finally {
    await pool?.end();
  }
}

/** SQL script that creates everything `schemaText` describes from nothing (reads no database). */
export function diffEmptyToSchema(schemaText: string): Promise<string> {
  return diff({ tag: 'empty' }, schemaText);
}

/** SQL script that takes the live database at `databaseUrl` to `schemaText` (only comments when none). */
export function diffDatabaseToSchema(databaseUrl: string, schemaText: string): Promise<string> {
  const files = [{ path: SCHEMA_PATH, content: schemaText }];
  return diff({ tag: 'schemaDatasource', files, configDir: process.cwd() }, schemaText, databaseUrl);
}

/** `script` without its comment and blank lines: empty when a diff found nothing to do. */
export function withoutComments(script: string): string {
  return script
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('--'))
    .join('\n');
}

// The doors (HTTP routes and plugins) reach the database only through the core (src/core/index.ts):
// no file under src/routes/ or src/plugins/ imports the Prisma client or touches a `.db`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Why a door's source breaks the layering, or null. */
function layeringProblem(source: string): string | null {
  if (/from\s+'[^']*generated\/prisma[^']*'/.test(source)) return 'imports the generated Prisma client';
  if (/from\s+'[^']*\/db\/[^']*'/.test(source)) return 'imports src/db/';
  if (/\.db\b(?!\w)/.test(source.replace(/\/\/.*$/gm, ''))) return 'touches .db';
  if (/\$(queryRaw|executeRaw|transaction)\b/.test(source)) return 'runs a query';
  return null;
}

describe('layering', () => {
  for (const dir of ['src/routes', 'src/plugins', 'src/smtp']) {
    it(`keeps the database out of ${dir}/`, () => {
      const problems = sourceFiles(dir).flatMap((file) => {
        const problem = layeringProblem(readFileSync(file, 'utf8'));
        return problem ? [`${file} ${problem}`] : [];
      });
      assert.deepEqual(problems, []);
    });
  }

  it('would catch a route that queries the database', () => {
    assert.equal(layeringProblem("import { createDb } from '../../db/client.ts';"), 'imports src/db/');
    assert.equal(layeringProblem('const rows = await app.db.mailbox.findMany();'), 'touches .db');
    assert.equal(layeringProblem('await request.server.db.$queryRaw`SELECT 1`;'), 'touches .db');
    assert.equal(
      layeringProblem("import type { Prisma } from '../generated/prisma/client.ts';"),
      'imports the generated Prisma client',
    );
    assert.equal(layeringProblem('await tx.$transaction(async () => {});'), 'runs a query');
    assert.equal(layeringProblem('const list = await app.core.accounts.listMailboxes(id);'), null);
  });
});

import { parseArgs } from 'node:util';
import { domainForDisplay } from '../accounts/names.ts';
import { OPERATOR } from '../accounts/audit.ts';
import {
  addDomain,
  listDomains,
  parseQuota,
  removeDomain,
  resetDomainPassword,
  setDomainQuota,
  setDomainState,
} from '../accounts/domains.ts';
import { ok, type Result } from '../core/result.ts';
import { ConfigError, loadConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import { openDatabase } from '../db/open.ts';
import { translate, type Lang, type MessageKey, type Params, type PluralKey } from '../i18n/index.ts';

const lang: Lang = (process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '').startsWith('fr')
  ? 'fr'
  : 'en';
const say = (key: MessageKey | PluralKey, params?: Params) => translate(lang, key, params);

/** A refusal of the command line itself: one line on stderr, exit 1, nothing touched. */
class UsageError extends Error {}

interface Command {
  args: string[];
  options: { quota?: string; 'password-stdin'?: boolean; confirm?: string };
}

function parseCommand(argv: string[]): Command {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { quota: { type: 'string' }, 'password-stdin': { type: 'boolean' }, confirm: { type: 'string' } },
    });
    return { args: positionals, options: values };
  } catch (error) {
    throw new UsageError(say('cli.errors.badOption', { detail: (error as Error).message.split('\n')[0] ?? '' }));
  }
}

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Only the line ending that closes the input is removed: a password is never trimmed.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function need(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(say('cli.errors.missing', { what }));
  return value;
}

/** Checks the whole command line before any database work, so a refusal changes nothing. */
function plan(command: Command): (db: Db) => Promise<Result<string>> {
  const [group, verb, domain, extra, ...rest] = command.args;
  const { options } = command;
  if (group !== 'domain') throw new UsageError(say('cli.errors.unknownCommand', { command: group ?? '' }));
  const allowed: Record<string, { args: number; options: (keyof Command['options'])[] }> = {
    add: { args: 1, options: ['quota', 'password-stdin'] },
    list: { args: 0, options: [] },
    'set-quota': { args: 2, options: [] },
    'reset-password': { args: 1, options: ['password-stdin'] },
    suspend: { args: 1, options: [] },
    resume: { args: 1, options: [] },
    remove: { args: 1, options: ['confirm'] },
  };
  const shape = verb ? allowed[verb] : undefined;
  if (!verb || !shape)
    throw new UsageError(say('cli.errors.unknownCommand', { command: `domain ${verb ?? ''}`.trim() }));
  const given = [domain, extra, ...rest].filter((a) => a !== undefined).length;
  if (given < shape.args) need(undefined, shape.args === 2 && given === 1 ? '<n>' : '<domain>');
  if (given > shape.args)
    throw new UsageError(say('cli.errors.extraArgument', { arg: [domain, extra, ...rest][shape.args] ?? '' }));
  for (const name of Object.keys(options) as (keyof Command['options'])[]) {
    if (!shape.options.includes(name))
      throw new UsageError(say('cli.errors.optionNotHere', { option: `--${name}`, command: verb }));
  }
  const name = domain ?? '';
  const print = (line: string) => process.stdout.write(line + '\n');
  const withPassword = async () => (options['password-stdin'] ? await readPasswordFromStdin() : undefined);

  switch (verb) {
    case 'add': {
      const quota = options.quota === undefined ? undefined : parseQuota(options.quota);
      if (quota === null) throw new UsageError(say('domain.errors.invalidQuota', { value: options.quota ?? '' }));
      return async (db) => {
        const result = await addDomain(db, { name, quota, password: await withPassword() }, OPERATOR);
        if (!result.ok) return result;
        print(say('cli.domainAdded', { name: result.value.name }));
        if (result.value.password) print(say('cli.passwordOnce', { password: result.value.password }));
        return ok(result.value.name);
      };
    }
    case 'list':
      return async (db) => {
        const domains = await listDomains(db);
        if (domains.length === 0) {
          print(say('cli.noDomains'));
          return ok('');
        }
        // Names as people write them; the stored punycode form last, for IDN names only.
        print(say('cli.listHeader'));
        for (const d of domains) {
          const shown = domainForDisplay(d.name);
          print(
            [
              shown,
              say(`domain.state.${d.state}`),
              `${d.mailboxes}/${d.quota}`,
              d.createdAt.toISOString().slice(0, 10),
              shown === d.name ? '' : d.name,
            ].join('\t'),
          );
        }
        return ok('');
      };
    case 'set-quota':
      return async (db) => {
        const result = await setDomainQuota(db, name, extra ?? '', OPERATOR);
        if (!result.ok) return result;
        print(say('cli.quotaSet', { name: name.toLowerCase(), quota: result.value }));
        return ok('');
      };
    case 'reset-password':
      return async (db) => {
        const result = await resetDomainPassword(db, name, await withPassword(), OPERATOR);
        if (!result.ok) return result;
        print(say('cli.passwordReset', { name: result.value.name }));
        if (result.value.password) print(say('cli.passwordOnce', { password: result.value.password }));
        return ok(result.value.name);
      };
    case 'suspend':
    case 'resume':
      return async (db) => {
        const result = await setDomainState(db, name, verb === 'suspend' ? 'suspended' : 'active', OPERATOR);
        if (result.ok) print(say(verb === 'suspend' ? 'cli.suspended' : 'cli.resumed', { name: result.value }));
        return result;
      };
    default:
      return async (db) => {
        const result = await removeDomain(db, name, options.confirm, OPERATOR);
        if (result.ok) print(say('cli.removed', { name: result.value }));
        return result;
      };
  }
}

async function main(argv: string[]): Promise<number> {
  const fail = (line: string) => {
    // What was typed is echoed escaped, so a CR, LF or invisible character can never fake a line.
    const shown = line.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    process.stderr.write(`easymail: ${shown}\n`);
    return 1;
  };
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    process.stdout.write(say('cli.usage') + '\n');
    return argv.length === 0 ? 1 : 0;
  }
  let run: (db: Db) => Promise<Result<string>>;
  let config;
  try {
    run = plan(parseCommand(argv));
    config = loadConfig();
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message);
    if (error instanceof ConfigError) return fail(error.problems.join(' '));
    throw error;
  }
  let database;
  try {
    database = await openDatabase(config);
  } catch (error) {
    return fail(say('cli.errors.database', { detail: String((error as Error).message ?? error).split('\n')[0] ?? '' }));
  }
  try {
    const result = await run(database.db);
    return result.ok ? 0 : fail(say(result.message, result.params));
  } catch (error) {
    return fail(
      say('cli.errors.unexpected', { detail: String((error as Error).message ?? error).split('\n')[0] ?? '' }),
    );
  } finally {
    await database.close();
  }
}

process.exitCode = await main(process.argv.slice(2));

import { Prisma } from '../db/client.ts';

// Search reads one column per message, search_text: the sender, the recipients, the subject and
// the body text, lower-case and without accents, each section opened by a marker. A trigram index
// on it serves `LIKE '%word%'`, so a search costs what its hits cost, not what the folder holds.

const MARK = { from: '\u0001f ', to: '\u0001t ', subject: '\u0001s ', body: '\u0001b ' } as const;
type Field = keyof typeof MARK;
/** The body text kept for search: enough for any mail people write, not a whole attached book. */
const MAX_BODY_CHARS = 20_000;

/** Text as search compares it: lower-case, accents and control characters gone (`Réunion` → `reunion`). */
export function searchForm(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ');
}

/** The search_text of a message. */
export function searchTextOf(parts: { from: string; to: string; subject: string; body: string }): string {
  return (
    MARK.from +
    searchForm(parts.from) +
    MARK.to +
    searchForm(parts.to) +
    MARK.subject +
    searchForm(parts.subject) +
    MARK.body +
    searchForm(parts.body.slice(0, MAX_BODY_CHARS))
  );
}

/** A search as typed, understood: words anywhere, words in one field, attachments, dates. */
export interface SearchQuery {
  terms: { field: Field | null; text: string }[];
  hasAttachment: boolean;
  before: Date | null;
  after: Date | null;
}

const FIELD_OPERATORS: Record<string, Field> = {
  from: 'from',
  de: 'from',
  to: 'to',
  a: 'to',
  subject: 'subject',
  objet: 'subject',
};

/** A day typed as 2026-11-30, or null. */
function dayOf(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const day = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? null : day;
}

/**
 * Reads a search: words (or "quoted phrases") must all appear; `from:`, `to:`, `subject:` (and
 * `de:`, `a:`, `objet:`) keep a word to one field; `has:attachment` (`a:piece-jointe`),
 * `before:2026-11-30` and `after:2026-11-01` filter. Anything else is a word.
 */
export function parseSearch(typed: string): SearchQuery {
  const query: SearchQuery = { terms: [], hasAttachment: false, before: null, after: null };
  for (const [, operator, quoted, bare] of typed.matchAll(/(?:(\w+):)?(?:"([^"]*)"|(\S+))/g)) {
    const value = (quoted ?? bare ?? '').trim();
    const name = operator ? searchForm(operator) : '';
    if ((name === 'has' && value === 'attachment') || (name === 'a' && /^pi[eè]ce-?jointe$/i.test(value))) {
      query.hasAttachment = true;
    } else if (name === 'before' && dayOf(value)) {
      query.before = dayOf(value);
    } else if (name === 'after' && dayOf(value)) {
      query.after = dayOf(value);
    } else if (name in FIELD_OPERATORS && value) {
      query.terms.push({ field: FIELD_OPERATORS[name]!, text: searchForm(value) });
    } else {
      const word = searchForm(operator ? `${operator}:${value}` : value).trim();
      if (word) query.terms.push({ field: null, text: word });
    }
  }
  return query;
}

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const NEXT: Record<Field, string | null> = { from: MARK.to, to: MARK.subject, subject: MARK.body, body: null };

/** The SQL condition of a search on the messages table (true when the search says nothing). */
export function searchCondition(query: SearchQuery): Prisma.Sql {
  const conditions: Prisma.Sql[] = query.terms.map(({ field, text }) => {
    // A field's words lie between its marker and the next one: the sections always come in order.
    const pattern = field
      ? `%${MARK[field]}%${likeEscaped(text)}%${NEXT[field] ?? ''}%`.replace(/%%$/, '%')
      : `%${likeEscaped(text)}%`;
    return Prisma.sql`search_text LIKE ${pattern}`;
  });
  if (query.hasAttachment) conditions.push(Prisma.sql`jsonb_array_length(attachments) > 0`);
  // The message's own date, as the list and the message show it.
  if (query.before) conditions.push(Prisma.sql`COALESCE(sent_at, received_at) < ${query.before}`);
  if (query.after) conditions.push(Prisma.sql`COALESCE(sent_at, received_at) >= ${query.after}`);
  return conditions.length > 0 ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
}

/** True when the search asks for anything at all. */
export const isEmptySearch = (query: SearchQuery) =>
  query.terms.length === 0 && !query.hasAttachment && !query.before && !query.after;

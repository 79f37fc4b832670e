// Incremental IMAP command reader (RFC 3501 §9, LITERAL+ from RFC 7888).
//
// Framing and parsing are two steps: bytes are first cut into a command frame (its text lines and
// the literals announced at their ends), and only a complete frame is tokenised. A frame that breaks
// a limit is discarded up to its end so the next command starts on a clean line; the one case that
// cannot be resynchronised, a non-synchronising literal over the limit (its bytes are already on
// the wire and may contain anything), ends the connection.

/** An atom, kept as sent (sequence sets, flags, `BODY[...]<...>` and `NIL` are atoms too). */
export interface AtomArg {
  kind: 'atom';
  value: string;
}

/** A quoted string, unescaped and decoded as UTF-8. */
export interface StringArg {
  kind: 'string';
  value: string;
}

/** A literal's bytes. */
export interface LiteralArg {
  kind: 'literal';
  value: Buffer;
}

/** A parenthesised list. */
export interface ListArg {
  kind: 'list';
  items: ImapArg[];
}

export type ImapArg = AtomArg | StringArg | LiteralArg | ListArg;

export interface ImapCommand {
  tag: string;
  /** Upper-cased; `UID FETCH`, `UID STORE` etc. are joined into one name. */
  name: string;
  args: ImapArg[];
}

export interface ReaderLimits {
  /** Bytes of command text outside literals, over all lines of one command. */
  maxLineBytes: number;
  /** Total literal bytes one command may carry, chosen from its (upper-cased) name. */
  maxLiteralBytes: (command: string) => number;
  /** Parenthesised lists nested deeper than this are refused. */
  maxListDepth: number;
}

export const DEFAULT_LIMITS: ReaderLimits = {
  maxLineBytes: 64 * 1024,
  maxLiteralBytes: (command) => (command === 'APPEND' ? 25 * 1024 * 1024 : 64 * 1024),
  maxListDepth: 16,
};

export type ReaderErrorCode = 'LINE_TOO_LONG' | 'LITERAL_TOO_LARGE' | 'TOO_DEEP' | 'SYNTAX';

export type ReaderEvent =
  | { type: 'command'; command: ImapCommand }
  /** Write `+ Ready for literal data`: the client waits for it before sending a literal. */
  | { type: 'continue' }
  /** Write `<tag> BAD <message>` (or `* BAD` when tag is null); the reader has resynchronised. */
  | { type: 'bad'; tag: string | null; code: ReaderErrorCode; message: string }
  /** Write `* BYE <message>` and close: the byte stream can no longer be framed. */
  | { type: 'close'; code: ReaderErrorCode; message: string };

export type LineEvent = { type: 'line'; line: Buffer } | { type: 'bad'; code: 'LINE_TOO_LONG'; message: string };

/** A parse failure inside a complete frame; the reader answers it with BAD. */
export class ImapParseError extends Error {
  constructor(
    readonly code: ReaderErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const MARKER_TAIL = 24;
const LITERAL_MARKER = /\{(\d{1,20})(\+?)\}$/;
const TAG_RE = /^[\x21-\x7e]+$/;
const TAG_FORBIDDEN = /[(){%*"\\+]/;

interface Segment {
  text: Buffer;
  literal: Buffer | null;
}

/** Reads IMAP commands from socket bytes; feed it with push() and drain it with next(). */
export class CommandReader {
  private readonly queue: Buffer[] = [];
  private current: Buffer = Buffer.alloc(0);
  private pos = 0;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private segments: Segment[] = [];
  private textBytes = 0;
  private literalBytes = 0;
  private literalNeed = 0;
  private literalChunks: Buffer[] = [];
  private literalGot = 0;
  private literalSkip = false;
  private commandName = '';
  private discarding: { tag: string | null; code: ReaderErrorCode; message: string } | null = null;
  private lineOverflow = false;
  private overflowHead: Buffer | null = null;
  private overflowTail: Buffer = Buffer.alloc(0);
  private closed = false;

  constructor(private readonly limits: ReaderLimits = DEFAULT_LIMITS) {}

  /** Queues bytes received from the socket; nothing is parsed until next() is called. */
  push(chunk: Buffer): void {
    if (!this.closed && chunk.length > 0) this.queue.push(chunk);
  }

  /** True when a command or literal has started but is not complete yet. */
  get midCommand(): boolean {
    return this.segments.length > 0 || this.partialBytes > 0 || this.literalNeed > 0 || this.discarding !== null;
  }

  /** Returns the next event, or null when more bytes are needed. */
  next(): ReaderEvent | null {
    while (!this.closed) {
      if (this.literalNeed > 0) {
        if (!this.readLiteral()) return null;
        continue;
      }
      const line = this.readLine();
      if (line === null) return null;
      if (line === 'overflow') {
        const event = this.overflowedLine();
        if (event) return event;
        continue;
      }
      const event = this.frameLine(line);
      if (event) return event;
    }
    return null;
  }

  /** Reads one continuation line (AUTHENTICATE data, IDLE's DONE) without parsing it as a command. */
  nextLine(): LineEvent | null {
    if (this.closed || this.literalNeed > 0 || this.segments.length > 0) return null;
    for (;;) {
      const line = this.readLine();
      if (line === null) return null;
      if (line === 'overflow') {
        this.resetOverflow();
        return { type: 'bad', code: 'LINE_TOO_LONG', message: 'Line too long' };
      }
      return { type: 'line', line: stripEol(line) };
    }
  }

  // Returns a complete line (with its LF), 'overflow' when the limit is passed (then again at the
  // end of the overlong line, with lineOverflow cleared), or null when the line is incomplete.
  private readLine(): Buffer | 'overflow' | null {
    for (;;) {
      if (this.pos >= this.current.length) {
        const chunk = this.queue.shift();
        if (!chunk) return null;
        this.current = chunk;
        this.pos = 0;
      }
      const budget = this.limits.maxLineBytes + 2 - this.textBytes;
      const lf = this.current.indexOf(LF, this.pos);
      const end = lf === -1 ? this.current.length : lf + 1;
      const piece = this.current.subarray(this.pos, end);
      this.pos = end;
      if (this.lineOverflow) {
        this.overflowTail = Buffer.concat([this.overflowTail, piece]).subarray(-MARKER_TAIL);
        if (lf === -1) continue;
        this.lineOverflow = false;
        return 'overflow';
      }
      if (this.partialBytes + piece.length > budget) {
        this.overflowHead = Buffer.concat([...this.partial, piece]).subarray(0, 256);
        this.overflowTail = piece.subarray(-MARKER_TAIL);
        this.partial = [];
        this.partialBytes = 0;
        this.lineOverflow = lf === -1;
        if (lf === -1) continue;
        return 'overflow';
      }
      if (lf === -1) {
        this.partial.push(piece);
        this.partialBytes += piece.length;
        continue;
      }
      let line = piece;
      if (this.partial.length > 0) {
        line = Buffer.concat([...this.partial, piece]);
        this.partial = [];
        this.partialBytes = 0;
      }
      return line;
    }
  }

  private resetOverflow(): void {
    this.overflowHead = null;
    this.overflowTail = Buffer.alloc(0);
  }

  // An overlong line: the command is discarded, but a literal it announces still frames the stream.
  private overflowedLine(): ReaderEvent | null {
    const head = this.segments[0]?.text ?? this.overflowHead ?? Buffer.alloc(0);
    if (this.segments.length === 0) this.commandName = readCommandName(head);
    if (!this.discarding) {
      this.discarding = { tag: readTag(head), code: 'LINE_TOO_LONG', message: 'Command line too long' };
    }
    const tail = stripEol(this.overflowTail).toString('latin1');
    this.resetOverflow();
    return this.afterDiscardedLine(tail);
  }

  private afterDiscardedLine(text: string): ReaderEvent | null {
    const marker = LITERAL_MARKER.exec(text);
    if (marker && marker[2] === '+') {
      const size = Number(marker[1]);
      if (size > this.limits.maxLiteralBytes(this.commandName)) {
        return this.close('LITERAL_TOO_LARGE', 'Non-synchronising literal too large');
      }
      this.startLiteral(size, true);
      return null;
    }
    // With no literal, or a synchronising one we never acknowledge, the command ends here.
    const bad = this.discarding!;
    this.endCommand();
    return { type: 'bad', tag: bad.tag, code: bad.code, message: bad.message };
  }

  private frameLine(raw: Buffer): ReaderEvent | null {
    const text = stripEol(raw);
    if (this.discarding) return this.afterDiscardedLine(text.subarray(-MARKER_TAIL).toString('latin1'));
    if (this.segments.length === 0 && text.length === 0) return null;
    this.textBytes += raw.length;
    if (this.segments.length === 0) this.commandName = readCommandName(text);
    const marker = LITERAL_MARKER.exec(text.subarray(-MARKER_TAIL).toString('latin1'));
    if (!marker) {
      this.segments.push({ text, literal: null });
      const segments = this.segments;
      this.endCommand();
      return parseFrame(segments, this.limits.maxListDepth);
    }
    const size = Number(marker[1]);
    const nonSync = marker[2] === '+';
    this.segments.push({ text: text.subarray(0, text.length - marker[0].length), literal: null });
    const limit = this.limits.maxLiteralBytes(this.commandName);
    if (this.literalBytes + size > limit) {
      if (nonSync) return this.close('LITERAL_TOO_LARGE', 'Non-synchronising literal too large');
      const tag = readTag(this.segments[0]!.text);
      this.endCommand();
      return { type: 'bad', tag, code: 'LITERAL_TOO_LARGE', message: `Literal too large (limit ${limit} bytes)` };
    }
    this.literalBytes += size;
    this.startLiteral(size, false);
    if (size === 0) this.finishLiteral();
    return nonSync ? null : { type: 'continue' };
  }

  private startLiteral(size: number, skip: boolean): void {
    this.literalNeed = size;
    this.literalGot = 0;
    this.literalChunks = [];
    this.literalSkip = skip;
  }

  // Takes literal bytes as slices of the received chunks; they are copied once, when complete.
  private readLiteral(): boolean {
    while (this.literalGot < this.literalNeed) {
      if (this.pos >= this.current.length) {
        const chunk = this.queue.shift();
        if (!chunk) return false;
        this.current = chunk;
        this.pos = 0;
      }
      const take = Math.min(this.literalNeed - this.literalGot, this.current.length - this.pos);
      if (!this.literalSkip) this.literalChunks.push(this.current.subarray(this.pos, this.pos + take));
      this.pos += take;
      this.literalGot += take;
    }
    this.finishLiteral();
    return true;
  }

  private finishLiteral(): void {
    const last = this.segments[this.segments.length - 1];
    if (!this.literalSkip && last) {
      last.literal = this.literalChunks.length === 1 ? this.literalChunks[0]! : Buffer.concat(this.literalChunks);
    }
    this.literalNeed = 0;
    this.literalChunks = [];
  }

  private endCommand(): void {
    this.segments = [];
    this.textBytes = 0;
    this.literalBytes = 0;
    this.commandName = '';
    this.discarding = null;
  }

  private close(code: ReaderErrorCode, message: string): ReaderEvent {
    this.closed = true;
    this.queue.length = 0;
    return { type: 'close', code, message };
  }
}

function stripEol(line: Buffer): Buffer {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) end--;
  if (end > 0 && line[end - 1] === CR) end--;
  return line.subarray(0, end);
}

function readTag(text: Buffer): string | null {
  const space = text.indexOf(SP);
  const tag = text.subarray(0, space === -1 ? text.length : space).toString('latin1');
  return TAG_RE.test(tag) && !TAG_FORBIDDEN.test(tag) ? tag : null;
}

function readCommandName(text: Buffer): string {
  const parts = text.subarray(0, 300).toString('latin1').split(' ', 3);
  const name = (parts[1] ?? '').toUpperCase();
  return name === 'UID' && parts[2] ? `UID ${parts[2].toUpperCase()}` : name;
}

const ATOM_END = new Set([SP, 0x28, 0x29, 0x22]); // SP ( ) "

// Tokenises one complete frame: each segment's text, then the literal that followed it.
class FrameParser {
  private seg = 0;
  private pos = 0;

  constructor(
    private readonly segments: Segment[],
    private readonly maxDepth: number,
  ) {}

  private get text(): Buffer {
    return this.segments[this.seg]!.text;
  }

  private fail(message: string, code: ReaderErrorCode = 'SYNTAX'): never {
    throw new ImapParseError(code, message);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length && this.seg === this.segments.length - 1;
  }

  skipSpaces(): void {
    while (this.pos < this.text.length && this.text[this.pos] === SP) this.pos++;
  }

  word(): string {
    const start = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== SP) this.pos++;
    return this.text.subarray(start, this.pos).toString('latin1');
  }

  args(depth: number): ImapArg[] {
    const items: ImapArg[] = [];
    for (;;) {
      this.skipSpaces();
      if (this.pos >= this.text.length) {
        const segment = this.segments[this.seg]!;
        if (segment.literal === null) {
          if (depth > 0) this.fail('Unterminated list');
          return items;
        }
        const before = this.text[this.pos - 1];
        if (before !== undefined && before !== SP && before !== 0x28) this.fail('Missing space before literal');
        items.push({ kind: 'literal', value: segment.literal });
        this.seg++;
        this.pos = 0;
        this.expectSeparator();
        continue;
      }
      const byte = this.text[this.pos]!;
      if (byte === 0x29) {
        if (depth === 0) this.fail('Unexpected )');
        this.pos++;
        return items;
      }
      if (byte === 0x28) {
        if (depth + 1 > this.maxDepth) this.fail('Lists nested too deep', 'TOO_DEEP');
        this.pos++;
        items.push({ kind: 'list', items: this.args(depth + 1) });
      } else if (byte === 0x22) {
        items.push({ kind: 'string', value: this.quoted() });
      } else {
        items.push({ kind: 'atom', value: this.atom() });
      }
      this.expectSeparator();
    }
  }

  private expectSeparator(): void {
    if (this.pos >= this.text.length) return;
    const byte = this.text[this.pos]!;
    if (byte !== SP && byte !== 0x29 && byte !== 0x28) this.fail('Missing space between arguments');
  }

  private quoted(): string {
    this.pos++;
    const bytes: number[] = [];
    const text = this.text;
    for (;;) {
      if (this.pos >= text.length) this.fail('Unterminated quoted string');
      const byte = text[this.pos++]!;
      if (byte === 0x22) break;
      if (byte === 0x5c) {
        const escaped = text[this.pos++];
        if (escaped !== 0x22 && escaped !== 0x5c) this.fail('Invalid escape in quoted string');
        bytes.push(escaped);
      } else if (byte === 0 || byte === CR || byte === LF) {
        this.fail('Invalid character in quoted string');
      } else {
        bytes.push(byte);
      }
    }
    const buffer = Buffer.from(bytes);
    const value = buffer.toString('utf8');
    if (!Buffer.from(value, 'utf8').equals(buffer)) this.fail('Quoted string is not UTF-8');
    return value;
  }

  // An atom may hold one bracketed part with spaces and parentheses, as in BODY[HEADER.FIELDS (A B)].
  // A '[' that is never closed is an ordinary atom character (a mailbox may be called foo[bar).
  private atom(): string {
    const text = this.text;
    const start = this.pos;
    let bracketAt = -1;
    let brackets = true;
    while (this.pos < text.length) {
      const byte = text[this.pos]!;
      if (byte < 0x20 || byte > 0x7e) this.fail(byte === 0 ? 'NUL byte in command' : 'Invalid character in command');
      if (bracketAt !== -1) {
        if (byte === 0x5d) bracketAt = -1;
      } else if (byte === 0x5b && brackets) {
        bracketAt = this.pos;
      } else if (ATOM_END.has(byte)) {
        break;
      } else if (byte === 0x7b) {
        this.fail('Literal not at the end of a line');
      }
      this.pos++;
      if (this.pos === text.length && bracketAt !== -1) {
        this.pos = bracketAt + 1;
        bracketAt = -1;
        brackets = false;
      }
    }
    return text.subarray(start, this.pos).toString('latin1');
  }
}

function parseFrame(segments: Segment[], maxDepth: number): ReaderEvent {
  const first = segments[0]!.text;
  const tag = readTag(first);
  try {
    if (first.includes(0)) throw new ImapParseError('SYNTAX', 'NUL byte in command');
    if (tag === null) throw new ImapParseError('SYNTAX', 'Missing or invalid tag');
    const parser = new FrameParser(segments, maxDepth);
    parser.word();
    parser.skipSpaces();
    let name = parser.word().toUpperCase();
    if (!/^[A-Z][A-Z0-9-]*$/.test(name)) throw new ImapParseError('SYNTAX', 'Missing or invalid command');
    if (name === 'UID') {
      parser.skipSpaces();
      const sub = parser.word().toUpperCase();
      if (!/^[A-Z]+$/.test(sub)) throw new ImapParseError('SYNTAX', 'Missing command after UID');
      name = `UID ${sub}`;
    }
    const args = parser.args(0);
    return { type: 'command', command: { tag, name, args } };
  } catch (error) {
    if (!(error instanceof ImapParseError)) throw error;
    return { type: 'bad', tag, code: error.code, message: error.message };
  }
}

/** True when the argument is the atom NIL (where the grammar allows nstring). */
export function isNil(arg: ImapArg | undefined): boolean {
  return arg?.kind === 'atom' && arg.value.toUpperCase() === 'NIL';
}

/** The text of an astring argument (atom, quoted or literal), or null for a list or missing one. */
export function asAString(arg: ImapArg | undefined): string | null {
  if (!arg || arg.kind === 'list') return null;
  if (arg.kind === 'literal') return arg.value.toString('utf8');
  return arg.value;
}

/** The bytes of a string argument (quoted or literal), for APPEND data and passwords. */
export function asBytes(arg: ImapArg | undefined): Buffer | null {
  if (!arg || arg.kind === 'list') return null;
  if (arg.kind === 'literal') return arg.value;
  return Buffer.from(arg.value, 'utf8');
}

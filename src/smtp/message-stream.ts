import type { SMTPServerDataStream } from 'smtp-server';

const CR = 0x0d;
const LF = 0x0a;

/**
 * True when chunk holds a CR not followed by LF or an LF not preceded by CR, looking across the
 * boundary with the previous chunk (whose last byte is `before`). Such line ends are how SMTP
 * smuggling hides a second message inside the first.
 */
export function hasBareLineEnd(chunk: Buffer, before: number | undefined): boolean {
  if (before === CR && chunk[0] !== LF) return true;
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
    if ((i === 0 ? before : chunk[i - 1]) !== CR) return true;
  }
  for (let i = chunk.indexOf(CR); i !== -1 && i < chunk.length - 1; i = chunk.indexOf(CR, i + 1)) {
    if (chunk[i + 1] !== LF) return true;
  }
  return false;
}

/** A message as DATA delivered it: its bytes unless it was too large or had bare line ends. */
export interface ReceivedMessage {
  chunks: Buffer[];
  sizeExceeded: boolean;
  bareLineEnd: boolean;
}

/** Reads DATA's stream to its end, keeping nothing once the message is refused anyway. */
export function readMessageStream(stream: SMTPServerDataStream): Promise<ReceivedMessage> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let last: number | undefined;
    let bareLineEnd = false;
    stream.on('data', (chunk: Buffer) => {
      bareLineEnd ||= hasBareLineEnd(chunk, last);
      last = chunk[chunk.length - 1];
      if (!stream.sizeExceeded && !bareLineEnd) chunks.push(chunk);
    });
    stream.on('end', () =>
      resolve({ chunks, sizeExceeded: stream.sizeExceeded, bareLineEnd: bareLineEnd || last === CR }),
    );
  });
}

/** The Return-Path: header of a final delivery (RFC 5321 section 4.4), the envelope sender kept. */
export function returnPathHeader(mailFrom: string): string {
  return `Return-Path: <${mailFrom.replace(/[^\w.:@[\]-]/g, '').slice(0, 255)}>\r\n`;
}

/** The Received: header a server puts on top of a message it takes (RFC 5321 section 4.4). */
export function receivedHeader(
  session: { hostNameAppearsAs?: string; clientHostname?: string; transmissionType?: string; id: string },
  serverName: string,
  recipients: string[],
): string {
  const safe = (text: string | undefined) => (text ?? '').replace(/[^\w.:@[\]-]/g, '').slice(0, 255);
  const date = new Date().toUTCString().replace('GMT', '+0000');
  return (
    `Received: from ${safe(session.hostNameAppearsAs) || 'unknown'} (${safe(session.clientHostname)})\r\n` +
    `\tby ${safe(serverName)} with ${safe(session.transmissionType)} id ${safe(session.id)}\r\n` +
    `\t${recipients.length === 1 ? `for <${safe(recipients[0])}>` : ''}; ${date}\r\n`
  );
}

import type { SMTPServer } from 'smtp-server';

type SmtpError = Error & { responseCode: number };

/**
 * An error whose code and text smtp-server sends as the reply. It adds the enhanced status code
 * of the reply code (451 → 4.3.0) unless `enhanced` names a more precise one (451 4.2.1).
 */
export function reply(code: number, message: string, enhanced?: string): SmtpError {
  return Object.assign(new Error(enhanced ? `${enhanced} ${message}` : message), { responseCode: code });
}

interface Connection {
  send(code: number, data?: unknown, context?: unknown): void;
}

/**
 * smtp-server chooses the enhanced status code from the reply code alone; a reply that starts
 * with its own (made by reply() above) is sent with that one instead, and `overrides` corrects
 * the library's own replies (538 is 5.7.11, "encryption required", per RFC 3207 and RFC 4954).
 */
export function honourOwnEnhancedCodes(server: SMTPServer, overrides: Record<number, string> = {}) {
  const connections = (server as unknown as { connections: Set<Connection> }).connections;
  const add = connections.add.bind(connections);
  connections.add = (connection: Connection) => {
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) => {
      if (typeof data === 'string' && /^[245]\.\d{1,3}\.\d{1,3} /.test(data)) return send(code, data, false);
      const own = overrides[code];
      return own && context !== false && typeof data === 'string'
        ? send(code, `${own} ${data}`, false)
        : send(code, data, context);
    };
    return add(connection);
  };
}

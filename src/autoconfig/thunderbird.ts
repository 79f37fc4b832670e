import { escapeXml, type MailProgramSettings, type ServerDoor } from './settings.ts';

// Thunderbird's autoconfig document (clientConfig v1.1), as its parser reads it:
// https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat

const SOCKET_TYPE = { ssl: 'SSL', starttls: 'STARTTLS' } as const;

function server(element: 'incomingServer' | 'outgoingServer', type: string, host: string, door: ServerDoor) {
  return [
    `    <${element} type="${type}">`,
    `      <hostname>${escapeXml(host)}</hostname>`,
    `      <port>${door.port}</port>`,
    `      <socketType>${SOCKET_TYPE[door.security]}</socketType>`,
    `      <username>%EMAILADDRESS%</username>`,
    `      <authentication>password-cleartext</authentication>`,
    `    </${element}>`,
  ];
}

/**
 * The document for a domain (the typed address's, or the server's own name): the same for every
 * address of that domain, whether or not it exists.
 */
export function thunderbirdConfig(settings: MailProgramSettings, domain: string, brandName: string): string {
  const host = settings.hostname;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${escapeXml(domain)}">`,
    `    <domain>${escapeXml(domain)}</domain>`,
    `    <displayName>${escapeXml(brandName)}</displayName>`,
    `    <displayShortName>${escapeXml(brandName)}</displayShortName>`,
    ...settings.incoming.flatMap((door) => server('incomingServer', 'imap', host, door)),
    ...settings.outgoing.flatMap((door) => server('outgoingServer', 'smtp', host, door)),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}

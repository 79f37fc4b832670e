import { escapeXml, wellFormedAddress, type MailProgramSettings, type ServerDoor } from './settings.ts';

// Microsoft's Autodiscover in its plain-old-XML form (what Outlook asks before IMAP settings):
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-web-service-reference-for-exchange

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
export const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/**
 * The address of a request, or null when the body is not the request Outlook sends. The body is
 * never parsed as XML: a document type (and so any entity) is refused, and the address is read by a
 * pattern that admits no markup, so nothing in it is ever expanded.
 */
export function autodiscoverAddress(body: unknown): string | null {
  if (typeof body !== 'string' || /<!/.test(body)) return null;
  if (!/^\s*(<\?xml[^<>]*\?>\s*)?<Autodiscover\b[^<>]*>[\s\S]*<\/Autodiscover>\s*$/.test(body)) return null;
  const matches = [...body.matchAll(/<EMailAddress>\s*([^<>&\s]{3,320})\s*<\/EMailAddress>/g)];
  const schema = /<AcceptableResponseSchema>\s*([^<>&\s]+)\s*<\/AcceptableResponseSchema>/.exec(body)?.[1];
  if (matches.length !== 1 || (schema !== undefined && schema !== OUTLOOK_SCHEMA)) return null;
  return wellFormedAddress(matches[0]?.[1]);
}

function protocol(type: 'IMAP' | 'SMTP', host: string, door: ServerDoor, address: string) {
  return [
    '      <Protocol>',
    `        <Type>${type}</Type>`,
    `        <Server>${escapeXml(host)}</Server>`,
    `        <Port>${door.port}</Port>`,
    '        <DomainRequired>off</DomainRequired>',
    `        <LoginName>${escapeXml(address)}</LoginName>`,
    '        <SPA>off</SPA>',
    '        <SSL>on</SSL>',
    // STARTTLS on the plain port; without Encryption, SSL on means TLS from the first byte.
    ...(door.security === 'starttls' ? ['        <Encryption>TLS</Encryption>'] : []),
    '        <AuthRequired>on</AuthRequired>',
    ...(type === 'SMTP' ? ['        <UsePOPAuth>on</UsePOPAuth>', '        <SMTPLast>off</SMTPLast>'] : []),
    '      </Protocol>',
  ];
}

/** The settings for an address: only the preferred door of each kind, the same whether it exists or not. */
export function autodiscoverResponse(settings: MailProgramSettings, address: string): string {
  const [imap] = settings.incoming;
  const [smtp] = settings.outgoing;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    `  <Response xmlns="${OUTLOOK_SCHEMA}">`,
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    ...(imap ? protocol('IMAP', settings.hostname, imap, address) : []),
    ...(smtp ? protocol('SMTP', settings.hostname, smtp, address) : []),
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

/** Autodiscover's own error document: 600 for a request it cannot read. */
export function autodiscoverError(): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    '  <Response>',
    '    <Error>',
    '      <ErrorCode>600</ErrorCode>',
    '      <Message>Invalid Request</Message>',
    '      <DebugData />',
    '    </Error>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

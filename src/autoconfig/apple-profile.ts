import { createHash } from 'node:crypto';
import { escapeXml, type MailProgramSettings } from './settings.ts';

// An Apple configuration profile (.mobileconfig) with one Mail account payload:
// https://developer.apple.com/documentation/devicemanagement/mail

/** A UUID made from a name (SHA-1, laid out as version 5): the same address always gets the same one. */
export function nameUuid(name: string): string {
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface AppleProfileText {
  /** What the device shows as the profile's and the account's name and description. */
  displayName: string;
  description: string;
  organization: string;
}

const string = (key: string, value: string) => [`<key>${key}</key>`, `<string>${escapeXml(value)}</string>`];
const integer = (key: string, value: number) => [`<key>${key}</key>`, `<integer>${value}</integer>`];
const boolean = (key: string, value: boolean) => [`<key>${key}</key>`, value ? '<true/>' : '<false/>'];

/**
 * The profile of an address. It holds the password only when one is given (the user asked for it
 * and it was checked); otherwise the device asks for it while installing.
 */
export function appleProfile(
  settings: MailProgramSettings,
  address: string,
  text: AppleProfileText,
  password?: string,
): string | null {
  const [imap] = settings.incoming;
  const [smtp] = settings.outgoing;
  if (!imap || !smtp) return null;
  const identifier = settings.hostname.split('.').reverse().join('.');
  const profileUuid = nameUuid(`${settings.hostname} profile ${address}`);
  const mailUuid = nameUuid(`${settings.hostname} mail ${address}`);
  const server = (side: 'Incoming' | 'Outgoing', port: number) => [
    ...string(`${side}MailServerAuthentication`, 'EmailAuthPassword'),
    ...string(`${side}MailServerHostName`, settings.hostname),
    ...integer(`${side}MailServerPortNumber`, port),
    // On a STARTTLS port Apple's clients upgrade the connection: TLS either way, never plain text.
    ...boolean(`${side}MailServerUseSSL`, true),
    ...string(`${side}MailServerUsername`, address),
  ];
  const mail = [
    ...string('EmailAccountDescription', text.displayName),
    ...string('EmailAccountType', 'EmailTypeIMAP'),
    ...string('EmailAddress', address),
    ...server('Incoming', imap.port),
    ...(password === undefined ? [] : string('IncomingPassword', password)),
    ...server('Outgoing', smtp.port),
    ...boolean('OutgoingPasswordSameAsIncomingPassword', true),
    ...string('PayloadDescription', text.description),
    ...string('PayloadDisplayName', text.displayName),
    ...string('PayloadIdentifier', `${identifier}.profile.${profileUuid}.mail`),
    ...string('PayloadType', 'com.apple.mail.managed'),
    ...string('PayloadUUID', mailUuid),
    ...integer('PayloadVersion', 1),
  ];
  const profile = [
    '<key>PayloadContent</key>',
    '<array>',
    '<dict>',
    ...mail,
    '</dict>',
    '</array>',
    ...string('PayloadDescription', text.description),
    ...string('PayloadDisplayName', text.displayName),
    ...string('PayloadIdentifier', `${identifier}.profile.${profileUuid}`),
    ...string('PayloadOrganization', text.organization),
    ...boolean('PayloadRemovalDisallowed', false),
    ...string('PayloadType', 'Configuration'),
    ...string('PayloadUUID', profileUuid),
    ...integer('PayloadVersion', 1),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    ...profile,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

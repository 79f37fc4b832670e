import type { MessageKey } from './fr.ts';

export const en: Record<MessageKey, string> = {
  'lang.name': 'English',
  'lang.switch': 'Français',
  'lang.switchLabel': 'Change language',
  'layout.skip': 'Skip to content',
  'layout.footer': '{brand} — email hosting',

  'home.title': 'Small business',
  'home.lead': 'Your domain, your email accounts and your webmail, in one place.',
  'home.myAccounts': 'My accounts',
  'home.support': 'Technical support',

  'accounts.title': 'My accounts',
  'accounts.lead': 'Your account tools.',
  'accounts.webmailAccess': 'Webmail access',
  'accounts.manage': 'Email account management',
  'accounts.manageHint': 'For the domain administrator: create and delete email accounts.',
  'accounts.signIn': 'Sign in',
  'accounts.signInHint': 'To read and send your email.',

  'support.title': 'Technical support',
  'support.lead': 'For help, call our technical support team.',
  'support.phone': 'Phone',
  'support.hours': 'Opening hours',
  'support.defaultHours': 'Monday to Friday, 8 a.m. to 8 p.m.',

  'errors.notFound.title': 'Page not found',
  'errors.notFound.body': 'The page you asked for does not exist.',
  'errors.forbidden.title': 'Access denied',
  'errors.forbidden.body': 'You do not have access to this page.',
  'errors.csrf.title': 'Form expired',
  'errors.csrf.body': 'This form has expired or did not come from this site. Go back to the page and try again.',
  'errors.badRequest.title': 'Invalid request',
  'errors.badRequest.body': 'The request could not be read. Go back to the page and try again.',
  'errors.tooLarge.title': 'Upload too large',
  'errors.tooLarge.body': 'The data sent is larger than allowed.',
  'errors.tooMany.title': 'Too many attempts',
  'errors.tooMany.body': 'Too many requests in a short time. Wait a few minutes and try again.',
  'errors.server.title': 'Server error',
  'errors.server.body': 'Something went wrong on our side. Try again in a moment.',
  'errors.backHome': 'Back to the home page',

  'domain.errors.invalidName': 'The domain name "{name}" is not valid.',
  'domain.errors.taken': 'The domain {name} already exists.',
  'domain.errors.unknown': 'The domain {name} does not exist.',
  'domain.errors.invalidQuota': 'The quota must be a whole number from 0 to 10000 (got "{value}").',
  'domain.errors.quotaBelowUse': 'The quota cannot be lower than the {count} existing email accounts.',
  'domain.errors.confirmMismatch': 'To remove {name}, add --confirm {name}.',
  'domain.state.active': 'active',
  'domain.state.suspended': 'suspended',

  'password.errors.length': 'The password must be 10 to 128 characters long.',
  'password.errors.control': 'The password cannot contain control characters.',
  'password.errors.name': 'The password cannot be the user name or the domain.',
  'password.errors.common': 'This password is too common. Choose another one.',
  'mailbox.errors.invalidName':
    'The user name must be 1 to 64 characters among a-z, 0-9, dot, hyphen and underscore, and start and end with a letter or a digit.',
  'mailbox.errors.reserved': 'This name is reserved. Choose another one.',
  'mailbox.errors.taken': 'The address {address} already exists.',
  'mailbox.errors.quotaReached': 'The limit of {quota} email accounts has been reached.',
  'mailbox.errors.notFound': 'This email account does not exist.',

  'signIn.errors.adminInvalid': 'Invalid user name or password.',
  'signIn.errors.mailboxInvalid': 'Invalid email address or password.',

  'cli.usage':
    'Usage: easymail domain <command>\n' +
    '  domain add <domain> [--quota 15] [--password-stdin]\n' +
    '  domain list\n' +
    '  domain set-quota <domain> <n>\n' +
    '  domain reset-password <domain> [--password-stdin]\n' +
    '  domain suspend <domain>\n' +
    '  domain resume <domain>\n' +
    '  domain remove <domain> --confirm <domain>',
  'cli.errors.badOption': 'bad option: {detail}',
  'cli.errors.missing': 'missing argument: {what}. See "easymail help".',
  'cli.errors.unknownCommand': 'unknown command: "{command}". See "easymail help".',
  'cli.errors.extraArgument': 'unexpected argument: "{arg}".',
  'cli.errors.optionNotHere': 'the option {option} does not apply to "{command}".',
  'cli.errors.database': 'cannot reach the database: {detail}',
  'cli.errors.unexpected': 'unexpected error: {detail}',
  'cli.domainAdded': 'Domain {name} added.',
  'cli.passwordOnce': 'Administrator password (shown only this once): {password}',
  'cli.noDomains': 'No domains.',
  'cli.quotaSet': 'Quota of {name}: {quota} email accounts.',
  'cli.passwordReset': 'New administrator password of {name} saved.',
  'cli.suspended': 'Domain {name} suspended.',
  'cli.resumed': 'Domain {name} resumed.',
  'cli.removed': 'Domain {name} removed, with its email accounts and their mail.',
};

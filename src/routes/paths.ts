// Every path of the site, in one table: the routes register them, redirects and templates
// (`it.paths`) link to them. A path with an id is a function of it; `:id` gives the route pattern.

import type { SpecialUse } from '../mail/folders.ts';

/** The special-use folders as they appear in URLs; the user's own folders go by id. */
export const SPECIAL_SLUGS: Record<SpecialUse, string> = {
  inbox: 'reception',
  sent: 'envoyes',
  drafts: 'brouillons',
  junk: 'indesirables',
  archive: 'archives',
  trash: 'corbeille',
};

type Id = number | bigint | string;
const account = (id: Id) => `/admin/courriel/comptes/${id}`;
const message = (id: Id) => `/webmail/messages/${id}`;
const special = (use: SpecialUse) => `/webmail/${SPECIAL_SLUGS[use]}`;
const userFolder = (id: Id) => `/webmail/dossiers/${id}`;

export const PATHS = {
  public: {
    home: '/',
    myAccounts: '/mes-comptes',
    support: '/soutien-technique',
    language: '/langue',
    health: '/healthz',
    assets: '/public/',
    stylesheet: '/public/css/site.css',
    favicon: '/favicon.ico',
    icon: '/public/favicon.svg',
  },
  /** What mail programs ask to set themselves up (Thunderbird, Outlook): no session, no cookie. */
  autoconfig: {
    thunderbird: '/.well-known/autoconfig/mail/config-v1.1.xml',
    thunderbirdHost: '/mail/config-v1.1.xml',
    autodiscover: '/autodiscover/autodiscover.xml',
    autodiscoverCapitalised: '/Autodiscover/Autodiscover.xml',
  },
  admin: {
    root: '/admin',
    signIn: '/admin/connexion',
    signOut: '/admin/deconnexion',
    home: '/admin/domaine',
    domainPage: (page: number) => (page > 1 ? `/admin/domaine?page=${page}` : '/admin/domaine'),
    hosting: '/admin/hebergement-web',
    security: '/admin/securite',
    email: '/admin/courriel',
    easymail: '/admin/courriel/configuration',
    create: '/admin/courriel/creer',
    mailbox: account,
    mailboxPassword: (id: Id) => `${account(id)}/mot-de-passe`,
    remove: (id: Id) => `${account(id)}/supprimer`,
  },
  webmail: {
    signIn: '/webmail',
    signOut: '/webmail/deconnexion',
    inbox: '/webmail/reception',
    special,
    /** A folder's page: its slug when it is special, else its id. */
    folder: (folder: { id: Id; specialUse: SpecialUse | null }) =>
      folder.specialUse ? special(folder.specialUse) : userFolder(folder.id),
    userFolder,
    folders: '/webmail/dossiers',
    renameFolder: (id: Id) => `${userFolder(id)}/renommer`,
    removeFolder: (id: Id) => `${userFolder(id)}/supprimer`,
    emptyTrash: '/webmail/corbeille/vider',
    compose: '/webmail/nouveau',
    reply: (id: Id) => `/webmail/nouveau?repondre=${id}`,
    forward: (id: Id) => `/webmail/nouveau?transferer=${id}`,
    password: '/webmail/mot-de-passe',
    mailPrograms: '/webmail/parametres/logiciel-de-courriel',
    appleProfile: '/webmail/parametres/logiciel-de-courriel/profil-apple',
    message,
    content: (id: Id) => `${message(id)}/contenu`,
    attachment: (id: Id, index: number | string) => `${message(id)}/pieces/${index}`,
    unread: (id: Id) => `${message(id)}/non-lu`,
    trash: (id: Id) => `${message(id)}/corbeille`,
    restore: (id: Id) => `${message(id)}/restaurer`,
    remove: (id: Id) => `${message(id)}/supprimer`,
    move: (id: Id) => `${message(id)}/deplacer`,
    flag: (id: Id) => `${message(id)}/suivre`,
  },
} as const;

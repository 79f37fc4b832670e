// French, the default language. Every key here exists in en.ts too (test/i18n.test.ts checks).
// Plural forms are keys ending in .one / .other, chosen by Intl.PluralRules.
export const fr = {
  'lang.name': 'Français',
  'lang.switch': 'English',
  'lang.switchLabel': 'Changer de langue',
  'layout.skip': 'Aller au contenu',
  'layout.footer': '{brand} — hébergement de courriel',

  'home.title': 'Petites entreprises',
  'home.lead': 'Votre domaine, vos comptes de courriel et votre courriel Web, au même endroit.',
  'home.myAccounts': 'Mes comptes',
  'home.support': 'Soutien technique',

  'accounts.title': 'Mes comptes',
  'accounts.lead': 'Les outils de votre compte.',
  'accounts.webmailAccess': 'Accès au courriel Web',
  'accounts.manage': 'Gestion des comptes de courriel',
  'accounts.manageHint': 'Pour l’administrateur du domaine : créer et supprimer les comptes de courriel.',
  'accounts.signIn': 'Ouverture de session',
  'accounts.signInHint': 'Pour lire et envoyer votre courriel.',

  'support.title': 'Soutien technique',
  'support.lead': 'Pour obtenir de l’aide, appelez notre équipe de soutien technique.',
  'support.phone': 'Téléphone',
  'support.hours': 'Heures d’ouverture',
  'support.defaultHours': 'Du lundi au vendredi, de 8 h à 20 h',

  'errors.notFound.title': 'Page introuvable',
  'errors.notFound.body': 'La page demandée n’existe pas.',
  'errors.forbidden.title': 'Accès refusé',
  'errors.forbidden.body': 'Vous n’avez pas accès à cette page.',
  'errors.csrf.title': 'Formulaire expiré',
  'errors.csrf.body': 'Ce formulaire a expiré ou ne vient pas de ce site. Revenez à la page et réessayez.',
  'errors.badRequest.title': 'Demande invalide',
  'errors.badRequest.body': 'La demande n’a pas pu être lue. Revenez à la page et réessayez.',
  'errors.tooLarge.title': 'Envoi trop volumineux',
  'errors.tooLarge.body': 'Les données envoyées dépassent la taille permise.',
  'errors.tooMany.title': 'Trop de tentatives',
  'errors.tooMany.body': 'Trop de demandes en peu de temps. Attendez quelques minutes et réessayez.',
  'errors.server.title': 'Erreur du serveur',
  'errors.server.body': 'Une erreur est survenue de notre côté. Réessayez dans un moment.',
  'errors.backHome': 'Retour à l’accueil',

  'domain.errors.invalidName': 'Le nom de domaine « {name} » n’est pas valide.',
  'domain.errors.taken': 'Le domaine {name} existe déjà.',
  'domain.errors.unknown': 'Le domaine {name} n’existe pas.',
  'domain.errors.invalidQuota': 'Le quota doit être un nombre entier de 0 à 10000 (reçu : « {value} »).',
  'domain.errors.quotaBelowUse': 'Le quota ne peut pas être inférieur aux {count} comptes de courriel existants.',
  'domain.errors.confirmMismatch': 'Pour supprimer {name}, ajoutez --confirm {name}.',
  'domain.state.active': 'actif',
  'domain.state.suspended': 'suspendu',

  'password.errors.length': 'Le mot de passe doit compter de 10 à 128 caractères.',
  'password.errors.control': 'Le mot de passe ne peut pas contenir de caractères de contrôle.',
  'password.errors.name': 'Le mot de passe ne peut pas être le nom d’utilisateur ou le domaine.',
  'password.errors.common': 'Ce mot de passe est trop courant. Choisissez-en un autre.',
  'mailbox.errors.invalidName':
    'Le nom d’utilisateur doit compter de 1 à 64 caractères parmi a-z, 0-9, le point, le tiret et le trait de soulignement, et commencer et finir par une lettre ou un chiffre.',
  'mailbox.errors.reserved': 'Ce nom est réservé. Choisissez-en un autre.',
  'mailbox.errors.taken': 'L’adresse {address} existe déjà.',
  'mailbox.errors.quotaReached': 'La limite de {quota} comptes de courriel est atteinte.',
  'mailbox.errors.notFound': 'Ce compte de courriel n’existe pas.',

  'signIn.errors.adminInvalid': 'Nom d’utilisateur ou mot de passe invalide.',
  'signIn.errors.mailboxInvalid': 'Adresse de courriel ou mot de passe invalide.',

  'cli.usage':
    'Utilisation : easymail domain <commande>\n' +
    '  domain add <domaine> [--quota 15] [--password-stdin]\n' +
    '  domain list\n' +
    '  domain set-quota <domaine> <n>\n' +
    '  domain reset-password <domaine> [--password-stdin]\n' +
    '  domain suspend <domaine>\n' +
    '  domain resume <domaine>\n' +
    '  domain remove <domaine> --confirm <domaine>',
  'cli.errors.badOption': 'option invalide : {detail}',
  'cli.errors.missing': 'argument manquant : {what}. Voyez « easymail help ».',
  'cli.errors.unknownCommand': 'commande inconnue : « {command} ». Voyez « easymail help ».',
  'cli.errors.extraArgument': 'argument en trop : « {arg} ».',
  'cli.errors.optionNotHere': 'l’option {option} ne s’applique pas à « {command} ».',
  'cli.errors.database': 'base de données injoignable : {detail}',
  'cli.errors.unexpected': 'erreur inattendue : {detail}',
  'cli.domainAdded': 'Domaine {name} créé.',
  'cli.passwordOnce': 'Mot de passe de l’administrateur (affiché une seule fois) : {password}',
  'cli.noDomains': 'Aucun domaine.',
  'cli.quotaSet': 'Quota de {name} : {quota} comptes de courriel.',
  'cli.passwordReset': 'Nouveau mot de passe de l’administrateur de {name} enregistré.',
  'cli.suspended': 'Domaine {name} suspendu.',
  'cli.resumed': 'Domaine {name} réactivé.',
  'cli.removed': 'Domaine {name} supprimé, avec ses comptes de courriel et leur courriel.',
} as const;

export type MessageKey = keyof typeof fr;

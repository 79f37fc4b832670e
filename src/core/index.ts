import { listDomainHistory, recordAudit } from '../accounts/audit.ts';
import { getMailbox, createMailbox, deleteMailbox, listMailboxes, setMailboxPassword } from '../accounts/mailboxes.ts';
import { changeAdminPassword, changeMailboxPassword, verifyMailboxPassword } from '../accounts/password-change.ts';
import { createSession, destroySession, loadSession, pruneSessions, saveSession } from '../accounts/sessions.ts';
import {
  getSignedInDomain,
  getSignedInMailbox,
  pruneSignInFailures,
  signInAdmin,
  signInMailbox,
} from '../accounts/sign-in.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { countRequest, pingDatabase, pruneRateLimitCounters } from '../db/counters.ts';
import { findDeliverableMailbox } from '../mail/addresses.ts';
import { ingestMessage } from '../mail/ingest.ts';
import { findRecipient, sendMessage, submitMessage, type OutgoingMessage } from '../mail/send.ts';
import type { Logger } from './logger.ts';
import {
  deleteForever,
  emptyTrash,
  getMessage,
  getRaw,
  indexUnsearchedMessages,
  listFolder,
  moveToTrash,
  restore,
  setFlagged,
  setSeen,
  storageUsed,
} from '../mail/store.ts';
import {
  createFolder,
  deleteFolder,
  getFolder,
  getSpecialFolder,
  listFolders,
  moveMessages,
  renameFolder,
  setFlags,
} from '../mail/folders.ts';

type WithoutDb<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;
type DbFunctions = Record<string, (db: Db, ...args: never[]) => unknown>;

/** The functions given, with the database filled in as their first argument. */
function withDb<T extends DbFunctions>(db: Db, functions: T): { [K in keyof T]: WithoutDb<T[K]> } {
  const bound = Object.entries(functions).map(([name, fn]) => [
    name,
    (...args: unknown[]) => (fn as (db: Db, ...rest: unknown[]) => unknown)(db, ...args),
  ]);
  return Object.fromEntries(bound) as { [K in keyof T]: WithoutDb<T[K]> };
}

/**
 * The core as the doors (HTTP routes and plugins, SMTP, IMAP) reach it: the rules of src/accounts/
 * and src/mail/ on one database. The doors never hold the database themselves.
 */
export function createCore(db: Db, config: Config) {
  return {
    config,
    pingDatabase: () => pingDatabase(db),
    accounts: withDb(db, {
      listDomainHistory,
      listMailboxes,
      getMailbox,
      createMailbox,
      deleteMailbox,
      setMailboxPassword,
      changeAdminPassword,
      changeMailboxPassword,
      verifyMailboxPassword,
      signInAdmin,
      signInMailbox,
      getSignedInDomain,
      getSignedInMailbox,
    }),
    sessions: withDb(db, { createSession, saveSession, loadSession, destroySession }),
    counters: withDb(db, { countRequest }),
    audit: withDb(db, { recordAudit }),
    mail: {
      ...withDb(db, {
        listFolders,
        getFolder,
        getSpecialFolder,
        createFolder,
        renameFolder,
        deleteFolder,
        moveMessages,
        setFlags,
        listFolder,
        storageUsed,
        getRaw,
        getMessage,
        setSeen,
        setFlagged,
        moveToTrash,
        restore,
        deleteForever,
        emptyTrash,
        findDeliverableMailbox,
        ingestMessage,
      }),
      sendMessage: (sender: { mailboxId: number; address: string }, message: OutgoingMessage, log?: Logger) =>
        sendMessage(db, config, sender, message, log),
      findRecipient: (address: string) => findRecipient(db, config, address),
      submitMessage: (
        sender: { mailboxId: number; address: string },
        recipients: { local: number[]; outside: string[] },
        raw: Buffer,
        log?: Logger,
      ) => submitMessage(db, config, sender, recipients, raw, log),
    },
    /**
     * Deletes what has expired (sessions, sign-in failures, rate-limit counters) and makes older
     * messages searchable, a few batches at a time. Returns how many rows it changed.
     */
    async maintain(): Promise<number> {
      const counts = await Promise.all([pruneSessions(db), pruneSignInFailures(db), pruneRateLimitCounters(db)]);
      for (let batch = 0; batch < 50; batch++) {
        const indexed = await indexUnsearchedMessages(db);
        counts.push(indexed);
        if (indexed === 0) break;
      }
      return counts.reduce((sum, count) => sum + count, 0);
    },
  };
}
export type Core = ReturnType<typeof createCore>;

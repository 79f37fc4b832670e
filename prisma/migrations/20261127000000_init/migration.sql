-- CreateEnum
CREATE TYPE "DomainState" AS ENUM ('active', 'suspended');

-- CreateEnum
CREATE TYPE "Folder" AS ENUM ('inbox', 'sent', 'trash');

-- CreateTable
CREATE TABLE "domains" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "admin_password_hash" TEXT NOT NULL,
    "mailbox_quota" INTEGER NOT NULL,
    "state" "DomainState" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "domains_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mailboxes" (
    "id" SERIAL NOT NULL,
    "domain_id" INTEGER NOT NULL,
    "local_part" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "storage_used" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "mailboxes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "sid" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "domain_id" INTEGER,
    "mailbox_id" INTEGER,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "client_address" TEXT,
    "domain_id" INTEGER,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sign_in_failures" (
    "id" BIGSERIAL NOT NULL,
    "account" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sign_in_failures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_counters" (
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "reset_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" BIGSERIAL NOT NULL,
    "mailbox_id" INTEGER NOT NULL,
    "folder" "Folder" NOT NULL DEFAULT 'inbox',
    "seen" BOOLEAN NOT NULL DEFAULT false,
    "from_text" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_text" TEXT NOT NULL,
    "cc_text" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "message_id_header" TEXT,
    "size" INTEGER NOT NULL,
    "attachments" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_bodies" (
    "message_id" BIGINT NOT NULL,
    "raw" BYTEA NOT NULL,

    CONSTRAINT "message_bodies_pkey" PRIMARY KEY ("message_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "domains_name_key" ON "domains"("name");

-- CreateIndex
CREATE UNIQUE INDEX "mailboxes_domain_id_local_part_key" ON "mailboxes"("domain_id", "local_part");

-- CreateIndex
CREATE INDEX "sessions_expires_at_idx" ON "sessions"("expires_at");

-- CreateIndex
CREATE INDEX "sessions_domain_id_idx" ON "sessions"("domain_id");

-- CreateIndex
CREATE INDEX "sessions_mailbox_id_idx" ON "sessions"("mailbox_id");

-- CreateIndex
CREATE INDEX "audit_events_domain_id_at_idx" ON "audit_events"("domain_id", "at" DESC);

-- CreateIndex
CREATE INDEX "sign_in_failures_account_at_idx" ON "sign_in_failures"("account", "at");

-- CreateIndex
CREATE INDEX "messages_mailbox_id_folder_received_at_id_idx" ON "messages"("mailbox_id", "folder", "received_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_mailbox_id_folder_seen_idx" ON "messages"("mailbox_id", "folder", "seen");

-- AddForeignKey
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_bodies" ADD CONSTRAINT "message_bodies_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

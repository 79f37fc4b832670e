-- Folders become data: each mailbox gets its six special-use folders, every message moves from the
-- old "folder" enum into the folder of the same use, numbered with UIDs 1..n per folder in
-- (received_at, id) order; then the enum goes.

-- CreateEnum
CREATE TYPE "SpecialUse" AS ENUM ('inbox', 'sent', 'drafts', 'junk', 'archive', 'trash');

-- CreateTable
CREATE TABLE "folders" (
    "id" SERIAL NOT NULL,
    "mailbox_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "special_use" "SpecialUse",
    "uid_validity" INTEGER NOT NULL,
    "uid_next" INTEGER NOT NULL DEFAULT 1,
    "highest_modseq" BIGINT NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "folders_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "folders_mailbox_id_special_use_key" ON "folders"("mailbox_id", "special_use");

-- A name is unique per mailbox whatever its case (Prisma cannot describe an index on an expression).
CREATE UNIQUE INDEX "folders_mailbox_id_lower_name_key" ON "folders"("mailbox_id", lower("name"));

-- AddForeignKey
ALTER TABLE "folders" ADD CONSTRAINT "folders_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The six special-use folders of every existing mailbox (src/mail/folders.ts makes them for new ones).
INSERT INTO "folders" ("mailbox_id", "name", "special_use", "uid_validity")
SELECT m."id", s."name", s."use"::"SpecialUse", GREATEST(1, extract(epoch FROM now())::int)
FROM "mailboxes" m
CROSS JOIN (VALUES ('INBOX', 'inbox'), ('Sent', 'sent'), ('Drafts', 'drafts'), ('Junk', 'junk'),
                   ('Archive', 'archive'), ('Trash', 'trash')) AS s("name", "use");

-- AlterTable
ALTER TABLE "messages"
ADD COLUMN     "answered" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "deleted" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "draft" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "flagged" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "folder_id" INTEGER,
ADD COLUMN     "keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "modseq" BIGINT NOT NULL DEFAULT 1,
ADD COLUMN     "uid" INTEGER;

-- Every message into the folder of its old value, UIDs in the order the messages arrived.
UPDATE "messages" AS msg
SET "folder_id" = numbered."folder_id", "uid" = numbered."uid"
FROM (
    SELECT m."id", f."id" AS "folder_id",
           row_number() OVER (PARTITION BY f."id" ORDER BY m."received_at", m."id")::int AS "uid"
    FROM "messages" m
    JOIN "folders" f ON f."mailbox_id" = m."mailbox_id" AND f."special_use"::text = m."folder"::text
) AS numbered
WHERE msg."id" = numbered."id";

UPDATE "folders" AS f
SET "uid_next" = counted."n" + 1
FROM (SELECT "folder_id", max("uid") AS "n" FROM "messages" GROUP BY "folder_id") AS counted
WHERE f."id" = counted."folder_id";

ALTER TABLE "messages" ALTER COLUMN "folder_id" SET NOT NULL, ALTER COLUMN "uid" SET NOT NULL;

-- DropIndex
DROP INDEX "messages_mailbox_id_folder_received_at_id_idx";

-- DropIndex
DROP INDEX "messages_mailbox_id_folder_seen_idx";

-- AlterTable
ALTER TABLE "messages" DROP COLUMN "folder";

-- DropEnum
DROP TYPE "Folder";

-- CreateIndex
CREATE INDEX "messages_folder_id_received_at_id_idx" ON "messages"("folder_id", "received_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_folder_id_seen_idx" ON "messages"("folder_id", "seen");

-- CreateIndex
CREATE INDEX "messages_mailbox_id_idx" ON "messages"("mailbox_id");

-- CreateIndex
CREATE UNIQUE INDEX "messages_folder_id_uid_key" ON "messages"("folder_id", "uid");

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_folder_id_fkey" FOREIGN KEY ("folder_id") REFERENCES "folders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

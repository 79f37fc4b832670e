-- Trigram matching for search (a trusted extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "search_text" TEXT;

-- CreateIndex
CREATE INDEX "messages_search_text_idx" ON "messages" USING GIN ("search_text" gin_trgm_ops);

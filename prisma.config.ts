// For the Prisma CLI where its schema engine exists (`prisma migrate deploy`); the app itself
// applies prisma/migrations without it (src/db/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});

// drizzle-kit's settings: the schema in db/schema, committed migrations in db/migrations, and the
// database of DATABASE_URL through the one configuration schema (config/index.ts).
import { defineConfig } from 'drizzle-kit';
import { loadConfig } from './config/index.js';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  dbCredentials: { url: loadConfig().databaseUrl },
});

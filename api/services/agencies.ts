// Agencies: read by everyone signed in, managed by admins.
import { asc } from 'drizzle-orm';
import { agencies } from '../../db/schema/index.js';
import type { AgencyCreate } from '../../domain/schemas.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';

function agencyOut(row: typeof agencies.$inferSelect) {
  return { id: row.id, kind: row.kind, name: row.name, country: row.country, city: row.city, createdAt: row.createdAt.toISOString() };
}

export function createAgencyService({ db }: ApiDeps) {
  async function list() {
    const rows = await db.select().from(agencies).orderBy(asc(agencies.id));
    return { items: rows.map(agencyOut) };
  }
  async function create(body: AgencyCreate) {
    const [row] = await db.insert(agencies).values(body).onConflictDoNothing().returning();
    if (!row) throw new ApiError('conflict', `an agency with id ${body.id} already exists`);
    return agencyOut(row);
  }
  return { list, create };
}

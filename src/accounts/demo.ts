import type { Db } from '../db/client.ts';
import { OPERATOR } from './audit.ts';
import { addDomain } from './domains.ts';

export const DEMO_DOMAIN = 'monomdedomaine.ca';

/** Provisions the demo domain on a brand-new embedded database; returns what to print once. */
export async function provisionDemo(db: Db): Promise<string[]> {
  const added = await addDomain(db, { name: DEMO_DOMAIN, quota: 15 }, OPERATOR);
  if (!added.ok) return [];
  return [`Demo domain ${DEMO_DOMAIN}: administrator user name "${DEMO_DOMAIN}", password ${added.value.password}`];
}

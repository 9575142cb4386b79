// Corrections end to end (issue 17: "reversals and voids as fast as redemptions"), measured like
// the redemptions: HTTP accepted → command succeeded (Prefer: wait), with the CPU of each process.
import { Client } from './client.ts';
import { cpuByComponent, cpuMsPer, type Stack } from './processes.ts';
import { commandTimings, driveCommands, prepareRedemptions, runRedemptions, type RedemptionFigures, type Visit } from './redemptions.ts';

/** A clinic whose visits were each redeemed once (by the redemptions part, or here when it did not run). */
export interface RedeemedVisits {
  owner: Client;
  visits: Visit[];
}

/** The redemptions part's figures, counted in commands, with the CPU each process spent per command. */
export type CorrectionFigures = Omit<RedemptionFigures, 'redemptions'> & { commands: number; cpuMsPerCommand: ReturnType<typeof cpuMsPer> };

const reason = 'Bench correction';

/**
 * At one concurrency, on visits redeemed once: (1) reverses every redemption, (2) redeems the
 * visits again (not measured; a reversed line may be redeemed again), (3) voids every visit's
 * invoice, each carrying that one redemption. Three passes over the same invoices instead of
 * seeding new ones: the part adds about 3 × n commands per concurrency and nothing else.
 */
export async function runCorrections(stack: Stack, admin: Client, concurrency: number, n: number, redeemed?: RedeemedVisits): Promise<{ reversals: CorrectionFigures; voids: CorrectionFigures }> {
  let set = redeemed;
  if (!set) {
    // Without the redemptions part: seed and redeem as it does.
    set = await prepareRedemptions(admin, n, Math.max(concurrency * 2, 32));
    await runRedemptions(set.owner, set.visits, concurrency);
  }
  const { owner, visits } = set;
  const ids = await redemptionIdsByLine(owner, visits.length);
  const reversible = visits.flatMap((v) => (ids.has(v.lineId) ? [ids.get(v.lineId)!] : []));
  const reversals = await measured(stack, owner, 'reversal', reversible.length, concurrency, (i) => ({
    path: `/v1/redemptions/${reversible[i]}/reversal`,
    body: { reason },
    key: `bench-reversal-${i}-${concurrency}`,
  }));
  await driveCommands(owner, visits.length, concurrency, (i) => ({ path: '/v1/redemptions', body: visits[i], key: `bench-again-${i}-${concurrency}` }));
  const voids = await measured(stack, owner, 'invoice_void', visits.length, concurrency, (i) => ({
    path: `/v1/invoices/${visits[i].invoiceId}/void`,
    body: { reason },
    key: `bench-void-${i}-${concurrency}`,
  }));
  return { reversals, voids };
}

/** One measured pass of `n` commands of a type, with the CPU each process spent on it. */
async function measured(stack: Stack, owner: Client, type: string, n: number, concurrency: number, command: Parameters<typeof driveCommands>[3]): Promise<CorrectionFigures> {
  const before = cpuByComponent(stack);
  const pass = await driveCommands(owner, n, concurrency, command);
  // Read before the CPU is, as the redemptions part does (15 pages: a few µs per command).
  const timings = await commandTimings(owner, type, n);
  return { concurrency, commands: n, ...pass, ...timings, cpuMsPerCommand: cpuMsPer(before, cpuByComponent(stack), n) };
}

/** The clinic's succeeded redemptions by the line they redeemed (each line of the set was redeemed once). */
async function redemptionIdsByLine(owner: Client, n: number): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page: { data: { id: string; request: { lineId: string } }[]; nextCursor: string | null } = (await owner.request('GET', `/v1/commands?type=redemption&status=succeeded&limit=200${cursor ? `&cursor=${cursor}` : ''}`)).body;
    for (const c of page.data) if (!ids.has(c.request.lineId)) ids.set(c.request.lineId, c.id);
    cursor = page.nextCursor;
  } while (cursor && ids.size < n);
  return ids;
}

// Issue 16, speed: the liability report's statement groups every purchase of the clinic by its
// facts. The planner cannot know how few distinct facts there are and expects up to one group per
// purchase; over ~50,000 purchases that hash table passed the default work_mem (4 MB × 2) and it
// sorted every purchase by 11 columns instead: 240-580 ms instead of 60-90 ms at 100,000 purchases,
// depending on the as-of day. The report sets its own work_mem (and no JIT) for its transaction.
// The flip itself needs that many purchases (a handful is grouped by sorting, rightly; the benchmark
// prints the strategy it got at 100,000): here the settings are checked.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Seed, startPipeline, type Pipeline } from './pipeline.js';

type Lib = typeof import('@app/billing');
type PlanNode = import('@app/billing').PlanNode;

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

describe('liability report: its plan (integration)', () => {
  let p: Pipeline;
  let lib: Lib;
  let em: EntityManager;
  let clinicId: string;

  beforeAll(async () => {
    p = await startPipeline();
    lib = await import('@app/billing');
    em = p.orm.em as unknown as EntityManager;
    const seed = new Seed(p.db);
    clinicId = await seed.clinic();
    const patientId = await seed.patient(clinicId);
    const serviceId = await seed.service(clinicId);
    for (const paid of [true, true, false]) await seed.packagePurchase(clinicId, patientId, serviceId, { paid });
  }, 60_000);
  afterAll(async () => {
    await p?.close();
  });

  it('runs its statement with its own work_mem and without JIT, in its transaction only', async () => {
    const today = lib.todayIn('UTC');
    for (const asOf of [today, lib.addDays(today, -90)]) {
      const explained = (await lib.explainLiabilityFacts(em.fork(), clinicId, asOf))!;
      expect({ asOf, settings: explained.Settings }).toMatchObject({ asOf, settings: { work_mem: '64MB', jit: 'off' } });
      expect(nodes(explained.Plan).some((n) => n['Relation Name'] === 'purchase_totals')).toBe(true);
    }
    const [{ work_mem }] = await em.fork().execute<{ work_mem: string }[]>('show work_mem');
    expect(work_mem).not.toBe('64MB');
  });
});

// npm run bench: every figure of issue 8 in one run, printed and written to bench/results.json.
// A benchmark, never a test. BENCH_QUICK=1 shrinks every size for a smoke run.
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { apiPauses, runAcceptLatency, type AcceptFigures } from './lib/accept-latency.ts';
import { Client } from './lib/client.ts';
import { runCorrections, type RedeemedVisits } from './lib/corrections.ts';
import { runDashboard } from './lib/dashboard.ts';
import { runPgbench } from './lib/pgbench.ts';
import { cpuByComponent, cpuMsPer, peakRssMiB, startStack } from './lib/processes.ts';
import { runReconciliation } from './lib/reconciliation.ts';
import { prepareRedemptions, runRedemptions } from './lib/redemptions.ts';
import { sharedSince, sharedTransactions } from './lib/shared-transactions.ts';
import { runReports } from './lib/reports.ts';

const quick = Boolean(process.env.BENCH_QUICK);
const N = Number(process.env.BENCH_REDEMPTIONS ?? (quick ? 300 : 3000));
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '16,64').split(',').map(Number);
const RECONCILE = (process.env.BENCH_RECONCILE ?? (quick ? '1000,5000' : '10000,100000')).split(',').map(Number);
const INVOICES = Number(process.env.BENCH_INVOICES ?? (quick ? 50_000 : 1_000_000));
// Issue 16: the liability report's clinic (12 invoices per purchase: 1.2 M at full size).
const REPORT_PURCHASES = Number(process.env.BENCH_REPORT_PURCHASES ?? (quick ? 5_000 : 100_000));
// BENCH_PARTS=redemptions,accept runs only those parts (while working on one of them).
const ALL_PARTS = 'pgbench,redemptions,corrections,accept,reconciliation,dashboard,reports';
const PARTS = new Set((process.env.BENCH_PARTS ?? ALL_PARTS).split(','));
const server = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/clinic_billing';

async function main(): Promise<void> {
  const started = performance.now();
  const results: Record<string, any> = {};
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  results.machine = machine;
  results.at = new Date().toISOString();
  console.log(`Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}`);

  results.pgbench = PARTS.has('pgbench') ? runPgbench(server, quick ? 5 : 15) : { tps: null, note: 'not run (BENCH_PARTS)' };
  console.log(results.pgbench.tps === null ? `pgbench: ${results.pgbench.note}` : `pgbench tpcb-like, 16 clients: ${results.pgbench.tps} TPS`);

  const url = new URL(server);
  url.pathname = `/cb_bench_${process.pid}`;
  const databaseUrl = url.toString();
  const { migrate, dropDatabase } = await import('../libs/billing/dist/index.js');
  await migrate(databaseUrl);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // pool.end() resolves before its idle connections have closed: the DROP DATABASE … WITH (FORCE)
  // that follows may end them first, an error nobody needs to hear about.
  db.on('error', () => undefined);
  // BENCH_PORT: two benchmarks on one machine must not share an API (the workers take the ports after it).
  // No scheduler ticks: the daily reconciliation of every bench clinic (queued after 02:00 their time)
  // would otherwise run in the middle of whichever part is being measured (a no-op pass over the
  // reports clinic's 100,000 purchases takes ~8 s). Each part runs what it measures itself.
  const stack = await startStack({ databaseUrl, port: Number(process.env.BENCH_PORT ?? 3900), env: { RECONCILE_TICK_MS: '0' } });
  try {
    const admin = new Client(stack.baseUrl, stack.env.ADMIN_TOKEN);
    results.redemptions = [];
    const redeemed = new Map<number, RedeemedVisits>();
    for (const c of PARTS.has('redemptions') ? CONCURRENCY : []) {
      const { owner, visits } = await prepareRedemptions(admin, N, Math.max(c * 2, 32));
      redeemed.set(c, { owner, visits }); // the corrections part reverses and voids them
      const sharedBefore = await sharedTransactions(stack);
      const before = cpuByComponent(stack);
      const figures = await runRedemptions(owner, visits, c);
      const cpuMsPerRedemption = cpuMsPer(before, cpuByComponent(stack), figures.redemptions);
      const shared = sharedSince(sharedBefore, await sharedTransactions(stack));
      const ratio = results.pgbench.tps ? Math.round((figures.throughputPerSec / results.pgbench.tps) * 1000) / 1000 : null;
      results.redemptions.push({ ...figures, ratioToPgbench: ratio, cpuMsPerRedemption, sharedTransactions: shared });
      console.log(`Redemptions end to end, concurrency ${c}: ${figures.succeeded}/${figures.redemptions} in ${figures.seconds}s = ${figures.throughputPerSec}/s (${ratio ?? '?'} × pgbench); p50 ${figures.latencyMs.p50} ms, p95 ${figures.latencyMs.p95} ms, p99 ${figures.latencyMs.p99} ms; queue wait p50 ${figures.queueWaitMs.p50} ms, processing p50 ${figures.processingMs.p50} ms`);
      console.log(`  CPU ms per redemption: ${JSON.stringify(cpuMsPerRedemption)}`);
      console.log(`  Worker transactions shared by several redemptions: ${shared.committed}, holding ${shared.commands} of the ${figures.redemptions}; rolled back and run alone: ${shared.rolledBack}`);
    }

    // Issue 17: reversals and voids as fast as redemptions, on the visits the redemptions part redeemed.
    results.corrections = [];
    for (const c of PARTS.has('corrections') ? CONCURRENCY : []) {
      const figures = await runCorrections(stack, admin, c, N, redeemed.get(c));
      const entry: Record<string, unknown> = { concurrency: c };
      const redemption = results.redemptions.find((r: any) => r.concurrency === c);
      for (const [name, title, one] of [['reversals', 'Reversals', 'reversal'], ['voids', 'Invoice voids (one redemption each)', 'void']] as const) {
        const f = figures[name];
        const ratio = results.pgbench.tps ? Math.round((f.throughputPerSec / results.pgbench.tps) * 1000) / 1000 : null;
        entry[name] = { ...f, ratioToPgbench: ratio };
        console.log(`${title} end to end, concurrency ${c}: ${f.succeeded}/${f.commands} in ${f.seconds}s = ${f.throughputPerSec}/s (${ratio ?? '?'} × pgbench); p50 ${f.latencyMs.p50} ms, p95 ${f.latencyMs.p95} ms, p99 ${f.latencyMs.p99} ms; queue wait p50 ${f.queueWaitMs.p50} ms, processing p50 ${f.processingMs.p50} ms`);
        console.log(`  CPU ms per ${one}: ${JSON.stringify(f.cpuMsPerCommand)}${redemption ? ` (a redemption: ${redemption.cpuMsPerRedemption.total} ms at ${redemption.throughputPerSec}/s)` : ''}`);
      }
      results.corrections.push(entry);
    }

    if (PARTS.has('accept')) {
      const { owner, visits } = await prepareRedemptions(admin, quick ? 100 : 400, 32);
      const accept = async (label?: string) => {
        let figures!: AcceptFigures;
        const api = await apiPauses(stack.baseUrl, stack.env.METRICS_TOKEN, async () => (figures = await runAcceptLatency(stack.baseUrl, owner.key, visits, 500, quick ? 4 : 10, label)));
        return { ...figures, api };
      };
      const pauses = (f: AcceptFigures) => `; the API meanwhile: event-loop delay (prom-client's 10 ms sampling included) p50 ${f.api?.eventLoopDelayMs.p50} ms, p99 ${f.api?.eventLoopDelayMs.p99} ms, max ${f.api?.eventLoopDelayMs.max} ms, GC ${JSON.stringify(f.api?.gcMs)} ms`;
      results.acceptLatency = await accept();
      console.log(`Accept latency at ${results.acceptLatency.ratePerSec} req/s, worker draining on the same cores: p50 ${results.acceptLatency.latencyMs.p50} ms, p99 ${results.acceptLatency.latencyMs.p99} ms (${results.acceptLatency.accepted}/${results.acceptLatency.requests} accepted)${pauses(results.acceptLatency)}`);
      // The API on cores of its own, as when the workers run elsewhere: the worker is paused
      // (SIGSTOP) while the commands pile up in the queue, then drains them.
      const worker = stack.workers[0];
      worker?.kill('SIGSTOP');
      try {
        results.acceptLatencyApiAlone = await accept('accept-alone');
      } finally {
        worker?.kill('SIGCONT');
      }
      console.log(`Accept latency at ${results.acceptLatencyApiAlone.ratePerSec} req/s, worker paused: p50 ${results.acceptLatencyApiAlone.latencyMs.p50} ms, p99 ${results.acceptLatencyApiAlone.latencyMs.p99} ms (${results.acceptLatencyApiAlone.accepted}/${results.acceptLatencyApiAlone.requests} accepted)${pauses(results.acceptLatencyApiAlone)}`);
    }

    results.reconciliation = [];
    for (const n of PARTS.has('reconciliation') ? RECONCILE : []) {
      const figures = await runReconciliation(admin, db, n);
      results.reconciliation.push(figures);
      console.log(`Reconciliation of ${n} purchases: ${figures.seconds}s, ${figures.purchasesPerSec} purchases/s, ${figures.msPerPurchase} ms each; ${JSON.stringify(figures.counts)}`);
    }

    if (PARTS.has('dashboard')) {
      results.dashboard = await runDashboard(admin, db, INVOICES);
      console.log(`Dashboard at ${results.dashboard.invoices} invoices: p50 ${results.dashboard.latencyMs.p50} ms, p95 ${results.dashboard.latencyMs.p95} ms (${results.dashboard.listed} listed)`);
    }

    if (PARTS.has('reports')) {
      results.reports = await runReports(admin, db, { apiPid: stack.api.pid, metricsToken: stack.env.METRICS_TOKEN, databaseUrl }, REPORT_PURCHASES);
      const r = results.reports;
      console.log(`Liability report over ${r.purchases} purchases, ${r.invoices} invoices: p50 ${r.liability.latencyMs.p50} ms, p95 ${r.liability.latencyMs.p95} ms, p99 ${r.liability.latencyMs.p99} ms (the clinic reconciled first: ${r.reconciliation.seconds}s, ${JSON.stringify(r.reconciliation.counts)})`);
      for (const e of r.liability.explain) console.log(`  EXPLAIN ANALYZE as of ${e.asOf}, ${e.runs} runs: median ${e.medianMs} ms, p95 ${e.p95Ms} ms (planning ≤ ${e.planningMs} ms; grouping: ${e.grouping})`);
      for (const [span, x] of Object.entries(r.paymentsExport) as [string, any][]) {
        console.log(`CSV export of a ${span} of payments: ${x.rows} rows, ${Math.round((x.bytes / 2 ** 20) * 10) / 10} MiB in ${x.seconds}s; API live heap (after full GCs) ${x.liveHeapMiB.before} → peak ${x.liveHeapMiB.peak} MiB; heap used ${x.heapUsedMiB.before} → peak ${x.heapUsedMiB.peak} MiB, RSS ${x.rssMiB.before} → peak ${x.rssMiB.peak} MiB (${x.samples} samples)`);
      }
    }

    results.peakRssMiB = { api: peakRssMiB(stack.api.pid), worker: peakRssMiB(stack.workers[0]?.pid) };
    console.log(`Peak RSS: API ${results.peakRssMiB.api} MiB, worker ${results.peakRssMiB.worker} MiB`);
  } finally {
    await stack.stop();
    await db.end();
    await dropDatabase(databaseUrl);
  }
  results.benchSeconds = Math.round((performance.now() - started) / 1000);
  const partial = PARTS.size < ALL_PARTS.split(',').length;
  writeFileSync(new URL(quick || partial ? './results-quick.json' : './results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Written bench/${quick || partial ? 'results-quick' : 'results'}.json (${results.benchSeconds}s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

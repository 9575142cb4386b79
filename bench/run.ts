// npm run bench: figures printed and written to bench/results.json. A benchmark, never a test.
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { Client } from './lib/client.ts';
import { peakRssMiB, startStack } from './lib/processes.ts';
import { prepareRedemptions, runRedemptions } from './lib/redemptions.ts';

const N = Number(process.env.BENCH_REDEMPTIONS ?? 2000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '16,64').split(',').map(Number);
const server = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/clinic_billing';

async function main(): Promise<void> {
  const dbName = `cb_bench_${process.pid}`;
  const url = new URL(server);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const { migrate, dropDatabase } = await import('../libs/billing/dist/index.js');
  await migrate(databaseUrl);
  const stack = await startStack({ databaseUrl, port: 3900 });
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  console.log(`Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  const results: Record<string, unknown> = { machine, at: new Date().toISOString() };
  try {
    const admin = new Client(stack.baseUrl, stack.env.ADMIN_TOKEN);
    const redemptions = [];
    for (const c of CONCURRENCY) {
      const { owner, visits } = await prepareRedemptions(admin, N, Math.max(c * 2, 32));
      const figures = await runRedemptions(owner, visits, c);
      redemptions.push(figures);
      console.log(`Redemptions end to end, concurrency ${c}: ${figures.succeeded}/${figures.redemptions} in ${figures.seconds}s = ${figures.throughputPerSec}/s; latency p50 ${figures.latencyMs.p50} ms, p95 ${figures.latencyMs.p95} ms, p99 ${figures.latencyMs.p99} ms`);
    }
    results.redemptions = redemptions;
    results.peakRssMiB = { api: peakRssMiB(stack.api.pid), worker: peakRssMiB(stack.workers[0]?.pid) };
    console.log(`Peak RSS: API ${(results.peakRssMiB as any).api} MiB, worker ${(results.peakRssMiB as any).worker} MiB`);
  } finally {
    await stack.stop();
    await dropDatabase(databaseUrl);
  }
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log('Written bench/results.json');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

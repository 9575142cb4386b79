import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Registry } from 'prom-client';
import { watchHeapAfterGc } from './heap-after-gc.js';

// A full collection on demand, without starting node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('heap after GC gauge', () => {
  it('follows the live heap at each full collection, not the garbage in between', async () => {
    const registry = new Registry();
    watchHeapAfterGc(registry, 'test_');
    const value = async () => (await registry.getSingleMetric('test_nodejs_heap_used_after_gc_bytes')!.get()).values[0].value;

    gc();
    await settle();
    const base = await value();
    const holder: { kept: number[][] | null } = { kept: null };
    holder.kept = Array.from({ length: 200 }, () => new Array<number>(50_000).fill(1.5));
    gc();
    await settle();
    const kept = await value();
    expect(holder.kept.length).toBe(200);

    holder.kept = null;
    // Dropped, and more garbage made: the next full collection leaves only what lived before.
    for (let i = 0; i < 100; i += 1) new Array<number>(50_000).fill(2.5);
    gc();
    await settle();
    const dropped = await value();
    // 200 × 50,000 doubles ≈ 76 MiB: counted while alive, gone once dropped, the garbage never.
    // (Measured against each other: the jest worker's own heap drifts by tens of MiB between files,
    // which made a comparison with the first reading fail in CI once.)
    expect(kept - dropped).toBeGreaterThan(60 * 2 ** 20);
    expect(dropped).toBeLessThan(base + 20 * 2 ** 20);
  });
});

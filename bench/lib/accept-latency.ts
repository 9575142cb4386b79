// API accept latency of POST /v1/redemptions at a fixed request rate (autocannon).
import autocannon from 'autocannon';
import { percentile } from './client.ts';

export interface AcceptFigures {
  ratePerSec: number;
  seconds: number;
  requests: number;
  accepted: number;
  non2xx: number;
  latencyMs: { p50: number; p99: number };
  /** What the API saw meanwhile (its /metrics): event-loop delay and time spent in GC. */
  api?: ApiPauses;
}

export interface ApiPauses {
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  gcMs: { minor: number; major: number; incremental: number };
}

/** A sample of a process's /metrics: `name` with its default labels (app="api") and, if given, `label` among them. */
export const metricOf = (text: string, name: string, label = '', absent?: number): number => {
  const line = text.split('\n').find((l) => /^[{ ]/.test(l.slice(`clinic_billing_${name}`.length)) && l.startsWith(`clinic_billing_${name}`) && l.includes(label));
  if (!line && absent !== undefined) return absent;
  if (!line) throw new Error(`/metrics has no clinic_billing_${name}${label ? ` with ${label}` : ''}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
};

/**
 * The API's pauses between two reads of its /metrics: prom-client resets its event-loop delay
 * histogram at each read, so the second read covers the run alone; GC time is a counter (delta).
 */
export async function apiPauses(baseUrl: string, metricsToken: string, run: () => Promise<unknown>): Promise<ApiPauses> {
  const read = async () => (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  const gc = (text: string, kind: string) => metricOf(text, 'nodejs_gc_duration_seconds_sum', `kind="${kind}"`, 0) * 1000; // no sample yet: no such GC yet
  const before = await read();
  await run();
  const after = await read();
  const ms = (name: string) => Math.round(metricOf(after, name) * 10000) / 10;
  return {
    eventLoopDelayMs: { p50: ms('nodejs_eventloop_lag_p50_seconds'), p99: ms('nodejs_eventloop_lag_p99_seconds'), max: ms('nodejs_eventloop_lag_max_seconds') },
    gcMs: Object.fromEntries((['minor', 'major', 'incremental'] as const).map((k) => [k, Math.round(gc(after, k) - gc(before, k))])) as ApiPauses['gcMs'],
  };
}

export async function runAcceptLatency(baseUrl: string, key: string, visits: { invoiceId: string; lineId: string; purchaseId: string }[], rate = 500, seconds = 10, label = 'accept'): Promise<AcceptFigures> {
  let n = 0;
  const latencies: number[] = [];
  const result = await autocannon({
    url: `${baseUrl}/v1/redemptions`,
    connections: 32,
    overallRate: rate,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => {
          const visit = visits[n % visits.length];
          n += 1;
          return {
            ...req,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': `${label}-${process.pid}-${n}` },
            body: JSON.stringify(visit),
          };
        },
      },
    ],
    setupClient: (client: any) => {
      client.on('response', (_status: number, _body: number, responseTime: number) => latencies.push(responseTime));
    },
  } as any);
  latencies.sort((a, b) => a - b);
  return {
    ratePerSec: rate,
    seconds,
    requests: result.requests.total,
    accepted: result['2xx'],
    non2xx: result.non2xx,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

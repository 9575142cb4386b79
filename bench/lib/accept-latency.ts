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

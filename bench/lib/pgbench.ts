// The machine's own limit: pgbench tpcb-like TPS with 16 clients on a scratch database.
import { execFileSync, spawnSync } from 'node:child_process';

export interface PgbenchFigures {
  tps: number | null;
  clients: number;
  seconds: number;
  note?: string;
}

export function runPgbench(serverUrl: string, seconds = 15, clients = 16): PgbenchFigures {
  if (spawnSync('pgbench', ['--version']).status !== 0) return { tps: null, clients, seconds, note: 'pgbench is not installed: skipped' };
  const url = new URL(serverUrl);
  const db = `cb_pgbench_${process.pid}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const psql = (sql: string) => execFileSync('psql', [admin.toString(), '-qc', sql], { stdio: 'pipe' });
  psql(`drop database if exists ${db}`);
  psql(`create database ${db}`);
  url.pathname = `/${db}`;
  try {
    execFileSync('pgbench', ['-i', '-q', '-s', '10', url.toString()], { stdio: 'pipe' });
    const out = execFileSync('pgbench', ['-b', 'tpcb-like', '-c', String(clients), '-j', '2', '-T', String(seconds), url.toString()], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
    return { tps: Math.round(tps), clients, seconds };
  } finally {
    psql(`drop database if exists ${db} with (force)`);
  }
}

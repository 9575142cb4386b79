// domain/ stays pure: no framework, ORM, queue or driver, only relative ESM imports.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as domain from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));

describe('domain purity', () => {
  it.each(sources)('%s imports only sibling modules, with .js suffixes', (file) => {
    const text = readFileSync(join(here, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
    for (const s of specifiers) expect(s).toMatch(/^\.\/[a-z0-9-]+\.js$/);
    expect(text).not.toMatch(/parseFloat|toFixed/);
  });

  it('index re-exports every module', () => {
    const index = readFileSync(join(here, 'index.ts'), 'utf8');
    for (const f of sources.filter((f) => f !== 'index.ts')) expect(index).toContain(`'./${f.replace(/\.ts$/, '.js')}'`);
    expect(typeof domain.decideRedemption).toBe('function');
  });
});

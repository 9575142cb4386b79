import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('has working local defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ DATABASE_URL: 'postgres://root@127.0.0.1:5432/clinic_billing', REDIS_URL: 'redis://127.0.0.1:6379', PORT: 3000 });
  });

  it('reads and converts the environment', () => {
    expect(loadConfig({ PORT: '8080', WORKER_CONCURRENCY: '4' })).toMatchObject({ PORT: 8080, WORKER_CONCURRENCY: 4 });
  });

  it('fails with one line naming every bad value', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ADMIN_TOKEN: 'short' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/PORT must be an integer/);
      expect(message).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
      expect(message).toMatch(/ADMIN_TOKEN must be at least 16 characters/);
    }
  });
});

describe('loadConfig in production', () => {
  const safe = { NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(32), SESSION_SECRET: 'b'.repeat(32), METRICS_TOKEN: 'c'.repeat(16) };

  it('starts with every secret set', () => {
    expect(loadConfig(safe)).toMatchObject({ NODE_ENV: 'production', SESSION_SECRET: 'b'.repeat(32) });
  });

  it.each([
    ['ADMIN_TOKEN unset', { ADMIN_TOKEN: undefined }, /ADMIN_TOKEN is not set/],
    ['ADMIN_TOKEN the development default', { ADMIN_TOKEN: 'local-admin-token-change-me' }, /ADMIN_TOKEN is the development default/],
    ['ADMIN_TOKEN shorter than 32', { ADMIN_TOKEN: 'x'.repeat(31) }, /ADMIN_TOKEN must be at least 32 characters/],
    ['SESSION_SECRET unset', { SESSION_SECRET: undefined }, /SESSION_SECRET is not set/],
    ['SESSION_SECRET shorter than 32', { SESSION_SECRET: 'y'.repeat(31) }, /SESSION_SECRET must be at least 32 characters/],
    ['METRICS_TOKEN unset', { METRICS_TOKEN: undefined }, /METRICS_TOKEN is not set/],
  ])('refuses to start with %s, in one line naming it', (_name, change, message) => {
    const attempt = () => loadConfig({ ...safe, ...change });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it('takes a sender address for receipts and refuses anything else', () => {
    expect(loadConfig({ MAIL_FROM: 'billing@clinic.example' }).MAIL_FROM).toBe('billing@clinic.example');
    expect(() => loadConfig({ MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM must be an e-mail address/);
  });

  it('keeps the development defaults working outside production', () => {
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ ADMIN_TOKEN: 'local-admin-token-change-me', SESSION_SECRET: undefined, AUTH_FAILURES_PER_MINUTE: 20 });
  });
});

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

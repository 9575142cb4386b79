import { DEADLOCK_RERUNS, isDeadlock, rerunDeadlocked } from './deadlocks.js';

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

describe('rerunDeadlocked', () => {
  it('runs a deadlock victim again, and answers what the rerun answers', async () => {
    let runs = 0;
    await expect(rerunDeadlocked(async () => (++runs < 3 ? Promise.reject(deadlock()) : 'paid'))).resolves.toBe('paid');
    expect(runs).toBe(3);
  });

  it(`lets the deadlock through after ${DEADLOCK_RERUNS} reruns`, async () => {
    let runs = 0;
    await expect(rerunDeadlocked(async () => {
      runs++;
      throw deadlock();
    })).rejects.toMatchObject({ code: '40P01' });
    expect(runs).toBe(DEADLOCK_RERUNS + 1);
  });

  it('never reruns any other error', async () => {
    let runs = 0;
    await expect(rerunDeadlocked(async () => {
      runs++;
      throw Object.assign(new Error('duplicate key'), { code: '23505' });
    })).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
  });

  it('knows a deadlock by its SQLSTATE only', () => {
    expect(isDeadlock(deadlock())).toBe(true);
    expect(isDeadlock(new Error('40P01'))).toBe(false);
    expect(isDeadlock(null)).toBe(false);
  });
});

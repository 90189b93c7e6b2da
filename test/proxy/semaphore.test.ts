import { describe, expect, test } from 'vitest';
import { Semaphore } from '../../src/proxy/semaphore.js';

describe('Semaphore', () => {
  test('admits at most limit holders, in arrival order', async () => {
    const sem = new Semaphore(2);
    const order: string[] = [];
    const r1 = await sem.acquire();
    const r2 = await sem.acquire();
    const w3 = sem.acquire().then((r) => (order.push('3'), r));
    const w4 = sem.acquire().then((r) => (order.push('4'), r));
    await Promise.resolve();
    expect([sem.active, sem.waiting, order]).toEqual([2, 2, []]);
    r1();
    const r3 = await w3;
    expect([sem.active, sem.waiting, order]).toEqual([2, 1, ['3']]);
    r2();
    r2(); // a second release of the same slot is ignored
    const r4 = await w4;
    expect([sem.active, sem.waiting, order]).toEqual([2, 0, ['3', '4']]);
    r3();
    r4();
    expect([sem.active, sem.waiting]).toEqual([0, 0]);
  });

  test('run releases on failure', async () => {
    const sem = new Semaphore(1);
    await expect(sem.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(sem.active).toBe(0);
    expect(await sem.run(async () => 42)).toBe(42);
  });

  test('bounds concurrent work', async () => {
    const sem = new Semaphore(3);
    let now = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        sem.run(async () => {
          now++;
          peak = Math.max(peak, now);
          await new Promise((r) => setTimeout(r, 2));
          now--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  test.each([0, -1, 1.5, Number.NaN])('new Semaphore(%s) is refused', (limit) => {
    expect(() => new Semaphore(limit)).toThrow(`semaphore limit must be a positive integer, got ${limit}`);
  });
});

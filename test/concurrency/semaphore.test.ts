import { describe, expect, test } from 'vitest';
import { mapLimit } from '../../src/concurrency/mapLimit.js';
import { Semaphore } from '../../src/concurrency/semaphore.js';

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

  test('urgent waiters go before earlier ordinary ones, each class in arrival order', async () => {
    const sem = new Semaphore(1);
    const order: string[] = [];
    const first = await sem.acquire();
    // Each waiter releases as soon as it holds the slot, handing it to the next in line.
    const take = (name: string, urgent: boolean): Promise<void> => sem.acquire(urgent).then((release) => (order.push(name), release()));
    const waits = [take('bulk1', false), take('urgent1', true), take('bulk2', false), take('urgent2', true)];
    expect(sem.waiting).toBe(4);
    first();
    await Promise.all(waits);
    expect(order).toEqual(['urgent1', 'urgent2', 'bulk1', 'bulk2']);
    expect([sem.active, sem.waiting]).toEqual([0, 0]);
  });
});

describe('mapLimit', () => {
  test('keeps item order and the bound', async () => {
    let now = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      now++;
      peak = Math.max(peak, now);
      await new Promise((r) => setTimeout(r, x));
      now--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  test('the first failure rejects and no new item starts', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4, 5], 1, async (x) => {
        started.push(x);
        if (x === 2) throw new Error(`item ${x}`);
        return x;
      }),
    ).rejects.toThrow('item 2');
    expect(started).toEqual([1, 2]);
  });

  test('an empty list and a bad limit', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    await expect(mapLimit([1], 0, async () => 1)).rejects.toThrow('mapLimit limit must be a positive integer, got 0');
  });
});

/**
 * The landing lock every machine of a shared run takes (#20), on a real PostgreSQL 18: a session advisory lock per
 * project, taken without waiting (the synchronous client would stop the event loop), held by one connection at a
 * time, freed when its holder's connection ends (a killed worker frees it). The merge queue across machines holds it
 * around each landing: a second machine's landing starts only once the first's ended, and a stopping run stops waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openPgProjectStore, type PgProjectStore } from '../../src/db/pg/pg-stores.js';
import { createMergeQueue } from '../../src/runner/merge-queue.js';
import { sharedMergeQueue } from '../../src/runner/remote-sync.js';
import { useDatabasePerTest } from '../support/postgres.js';
import { waitFor } from '../support/wait-for.js';

const db = useDatabasePerTest();
let root: string;
const open: PgProjectStore[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-pg-lock-'));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(root, { recursive: true, force: true });
});

/** A machine's store of the project `shop` (its own connection). */
function machine(schema = 'project_shop'): PgProjectStore {
  const store = openPgProjectStore(projectPaths(join(root, 'shop')), { url: db().url, schema });
  open.push(store);
  return store;
}

describe("a shared project's landing lock", () => {
  it('is held by one connection at a time, per project, and freed when its holder goes away', () => {
    const a = machine().sharedLock!('landing');
    const b = machine().sharedLock!('landing');
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    // Another project's lock is another lock.
    expect(machine('project_other').sharedLock!('landing').tryAcquire()).toBe(true);
    a.release();
    expect(b.tryAcquire()).toBe(true);
    b.release();
    // A machine that dies holding it (its connection ends) frees it.
    const dying = machine();
    expect(dying.sharedLock!('landing').tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    dying.close();
    expect(b.tryAcquire()).toBe(true);
  });

  it("makes the merge queues of two machines one queue: the second's landing waits for the first's", async () => {
    const one = machine();
    const two = machine();
    const stop = new AbortController();
    const q1 = sharedMergeQueue(createMergeQueue(), one.sharedLock!('landing'), stop.signal);
    const q2 = sharedMergeQueue(createMergeQueue(), two.sharedLock!('landing'), stop.signal);
    const order: string[] = [];
    let finishFirst!: () => void;
    const first = q1.run(async () => {
      order.push('first starts');
      await new Promise<void>((resolve) => (finishFirst = resolve));
      order.push('first ends');
    });
    await waitFor(() => order.includes('first starts'), 10_000, 'the first landing');
    const second = q2.run(async () => {
      order.push('second starts');
      return 'landed';
    });
    // While the first holds the lock, nobody else can take it: the second is waiting for it, not running.
    expect(machine().sharedLock!('landing').tryAcquire()).toBe(false);
    expect(order).toEqual(['first starts']);
    finishFirst();
    await first;
    expect(await second).toBe('landed');
    expect(order).toEqual(['first starts', 'first ends', 'second starts']);
  });

  it('a landing waiting for the lock gives up when its run stops', async () => {
    const holder = machine().sharedLock!('landing');
    expect(holder.tryAcquire()).toBe(true);
    const stop = new AbortController();
    const waiting = sharedMergeQueue(createMergeQueue(), machine().sharedLock!('landing'), stop.signal).run(() =>
      Promise.resolve('landed'),
    );
    stop.abort();
    await expect(waiting).rejects.toThrow('the run is stopping: the landing lock was not taken');
  });
});

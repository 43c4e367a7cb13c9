/**
 * The contract every registry store keeps (src/db/ports.ts `RegistryStore`), against the port
 * only. test/contract/sqlite.contract.test.ts runs it against SQLite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, RegistryStore } from '../../src/db/ports.js';
import { AppError } from '../../src/domain/errors.js';

export interface RegistryLocation {
  /** A new store (its own connection) on this location. */
  open(clock: Clock): RegistryStore;
  dispose(): void;
}

export interface RegistryFactory {
  create(): RegistryLocation;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err: unknown) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected an AppError');
}

export function defineRegistryStoreContract(name: string, factory: RegistryFactory): void {
  describe(`registry store contract: ${name}`, () => {
    const AT = Date.UTC(2025, 0, 1);
    let location: RegistryLocation;
    let store: RegistryStore;

    beforeEach(() => {
      location = factory.create();
      store = location.open({ now: () => AT });
    });

    afterEach(() => {
      store.close();
      location.dispose();
    });

    it('registers projects by unique name and unique path, finds and removes them', () => {
      const r = store.registry;
      expect(r.add('todo', '/p/todo')).toEqual({ name: 'todo', path: '/p/todo', createdAt: AT });
      r.add('blog', '/p/blog');
      expect(r.list().map((p) => p.name)).toEqual(['blog', 'todo']);
      expect(r.find('todo')?.path).toBe('/p/todo');
      expect(r.findByPath('/p/blog')?.name).toBe('blog');
      expect(code(() => r.add('todo', '/p/other'))).toBe('DUPLICATE');
      expect(code(() => r.add('other', '/p/todo'))).toBe('DUPLICATE');
      expect(r.remove('todo').name).toBe('todo');
      expect(r.find('todo')).toBeUndefined();
      expect(code(() => r.remove('todo'))).toBe('NOT_FOUND');
    });

    it('keeps global and per-project settings; a project setting needs the project and goes with it', () => {
      const r = store.registry;
      r.setSetting('ui.yolo', 'true');
      r.setSetting('ui.yolo', 'false');
      expect(r.getSetting('ui.yolo')).toBe('false');
      expect(r.deleteSetting('ui.yolo')).toBe(true);
      expect(r.deleteSetting('ui.yolo')).toBe(false);
      expect(r.getSetting('ui.yolo')).toBeUndefined();
      expect(code(() => r.setProjectSetting('todo', 'k', 'v'))).toBe('NOT_FOUND');
      r.add('todo', '/p/todo');
      r.setProjectSetting('todo', 'k', 'v');
      expect(r.getProjectSetting('todo', 'k')).toBe('v');
      r.remove('todo');
      r.add('todo', '/p/todo');
      expect(r.getProjectSetting('todo', 'k')).toBeUndefined();
    });

    it('records widening changes newest first, by project, and they outlive the project', () => {
      const r = store.registry;
      r.add('todo', '/p/todo');
      r.recordSettingsChange({ project: null, key: 'defaultSandbox', old: 'auto', new: 'off', origin: 'cli' });
      r.recordSettingsChange({ project: 'todo', key: 'extraCommands', old: null, new: ['make'], origin: 'ui' });
      r.remove('todo');
      expect(r.settingsChanges({ limit: 10 }).map((c) => [c.project, c.key, c.old, c.new, c.origin, c.at])).toEqual([
        ['todo', 'extraCommands', null, ['make'], 'ui', AT],
        [null, 'defaultSandbox', 'auto', 'off', 'cli', AT],
      ]);
      expect(r.settingsChanges({ project: 'todo', limit: 10 })).toHaveLength(1);
      expect(r.settingsChanges({ limit: 1 })).toHaveLength(1);
    });

    it('registers workers with their heartbeat and current features; a stopped one keeps none', () => {
      let now = AT;
      const clocked = location.open({ now: () => now });
      try {
        const r = clocked.registry;
        expect(r.registerWorker({ name: 'box-1', host: 'box', pid: 41, slots: 3 })).toEqual({
          name: 'box-1',
          host: 'box',
          pid: 41,
          slots: 3,
          startedAt: AT,
          heartbeatAt: AT,
          stoppedAt: null,
          current: [],
        });
        now += 5_000;
        const current = [{ project: 'todo', featureId: 7, slot: 1 }];
        expect(r.workerHeartbeat('box-1', 41, current)).toBe(true);
        expect(r.workers()).toMatchObject([{ name: 'box-1', heartbeatAt: AT + 5_000, current }]);
        // Only the process that holds the name writes for it.
        expect(r.workerHeartbeat('box-1', 42, [])).toBe(false);
        expect(r.stopWorker('box-1', 42)).toBe(false);
        expect(code(() => r.workerHeartbeat('box-1', 41, [{ project: 'todo', featureId: -1, slot: 0 }]))).toBe(
          'INVALID_INPUT',
        );
        now += 1_000;
        expect(r.stopWorker('box-1', 41)).toBe(true);
        expect(r.workers()).toMatchObject([{ name: 'box-1', stoppedAt: AT + 6_000, current: [] }]);
        expect(r.workerHeartbeat('box-1', 41, current)).toBe(false);
        expect(code(() => r.registerWorker({ name: '', host: 'box', pid: 1, slots: 1 }))).toBe('INVALID_INPUT');
        expect(code(() => r.registerWorker({ name: 'x', host: 'box', pid: 1, slots: 0 }))).toBe('INVALID_INPUT');
      } finally {
        clocked.close();
      }
    });

    it('refuses a worker name another process holds while it is online, and takes it over once it is offline', () => {
      let now = AT;
      const clocked = location.open({ now: () => now });
      try {
        const r = clocked.registry;
        r.registerWorker({ name: 'w', host: 'a', pid: 1, slots: 1 });
        now += 29_000;
        expect(code(() => r.registerWorker({ name: 'w', host: 'b', pid: 2, slots: 2 }))).toBe('CONFLICT');
        // The same process registering again is fine (a restart of its loop).
        expect(r.registerWorker({ name: 'w', host: 'a', pid: 1, slots: 1 }).heartbeatAt).toBe(now);
        now += 31_000; // no heartbeat for longer than the offline limit
        expect(r.registerWorker({ name: 'w', host: 'b', pid: 2, slots: 2 })).toMatchObject({ host: 'b', pid: 2 });
        // The old process's heartbeats no longer count.
        expect(r.workerHeartbeat('w', 1, [])).toBe(false);
        // Stopped workers are forgotten after a week, when the next one registers.
        r.stopWorker('w', 2);
        now += 8 * 24 * 3_600_000;
        r.registerWorker({ name: 'other', host: 'c', pid: 3, slots: 1 });
        expect(r.workers().map((w) => w.name)).toEqual(['other']);
      } finally {
        clocked.close();
      }
    });

    it('a transaction commits all of its changes or, when it throws, none', () => {
      expect(() =>
        store.transaction((r) => {
          r.add('todo', '/p/todo');
          r.setSetting('ui.yolo', 'true');
          throw new AppError('CONFLICT', 'changed my mind');
        }),
      ).toThrow('changed my mind');
      expect(store.registry.list()).toEqual([]);
      expect(store.registry.getSetting('ui.yolo')).toBeUndefined();
      expect(store.transaction((r) => r.add('todo', '/p/todo').name)).toBe('todo');
      // Another store on the same location sees what was committed.
      const other = location.open({ now: () => AT });
      try {
        expect(other.registry.find('todo')?.path).toBe('/p/todo');
      } finally {
        other.close();
      }
    });
  });
}

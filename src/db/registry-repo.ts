import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { type WorkerFeature, WorkerFeatureSchema, workerStatus } from '../shared/workers.js';
import type { Db } from './connection.js';
import {
  type Clock,
  type RegisteredProject,
  type RegistryPort,
  type SettingsChangeRecord,
  type StoredSettingsChange,
  systemClock,
  type WorkerRecord,
} from './ports.js';

interface WorkerRow {
  name: string;
  host: string;
  pid: number;
  slots: number;
  started_at: number;
  heartbeat_at: number;
  stopped_at: number | null;
  current: string;
}

const CurrentSchema = z.array(WorkerFeatureSchema);
const STOPPED_WORKERS_KEPT_MS = 7 * 24 * 3_600_000;

/** A row's features; a row another version wrote in a shape this one does not know reads as none. */
function currentOf(text: string): WorkerFeature[] {
  try {
    const parsed = CurrentSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const toWorker = (r: WorkerRow): WorkerRecord => ({
  name: r.name,
  host: r.host,
  pid: r.pid,
  slots: r.slots,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  stoppedAt: r.stopped_at,
  current: currentOf(r.current),
});

interface ProjectRow {
  name: string;
  path: string;
  created_at: number;
}

const toProject = (r: ProjectRow): RegisteredProject => ({ name: r.name, path: r.path, createdAt: r.created_at });

interface SettingsChangeRow {
  id: number;
  at: number;
  project: string | null;
  key: string;
  old_value: string | null;
  new_value: string | null;
  origin: string;
}

const fromJson = (v: string | null): unknown => (v === null ? null : (JSON.parse(v) as unknown));
const toJson = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** Maps project names to absolute folders, in `$AUTOCODER_HOME/registry.db`. */
export class RegistryRepo implements RegistryPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  list(): RegisteredProject[] {
    return (this.db.prepare('SELECT * FROM projects ORDER BY name').all() as ProjectRow[]).map(toProject);
  }

  find(name: string): RegisteredProject | undefined {
    const row = this.db.prepare('SELECT * FROM projects WHERE name = ?').get(name) as ProjectRow | undefined;
    return row ? toProject(row) : undefined;
  }

  findByPath(path: string): RegisteredProject | undefined {
    const row = this.db.prepare('SELECT * FROM projects WHERE path = ?').get(path) as ProjectRow | undefined;
    return row ? toProject(row) : undefined;
  }

  add(name: string, path: string): RegisteredProject {
    return this.db
      .transaction(() => {
        const byName = this.find(name);
        if (byName) {
          throw new AppError(
            'DUPLICATE',
            `a project named "${name}" is already registered (at ${byName.path}); choose another name or remove it first`,
          );
        }
        const byPath = this.findByPath(path);
        if (byPath) {
          throw new AppError('DUPLICATE', `${path} is already registered as "${byPath.name}"`);
        }
        const createdAt = this.clock.now();
        this.db.prepare('INSERT INTO projects (name, path, created_at) VALUES (?, ?, ?)').run(name, path, createdAt);
        return { name, path, createdAt };
      })
      .immediate();
  }

  remove(name: string): RegisteredProject {
    return this.db
      .transaction(() => {
        const project = this.find(name);
        if (!project)
          throw new AppError('NOT_FOUND', `no project named "${name}" is registered; see \`autocoder list\``);
        this.db.prepare('DELETE FROM projects WHERE name = ?').run(name);
        return project;
      })
      .immediate();
  }

  getSetting(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, value, this.clock.now());
  }

  /** Removes a global setting; returns whether it was set. */
  deleteSetting(key: string): boolean {
    return this.db.prepare('DELETE FROM settings WHERE key = ?').run(key).changes > 0;
  }

  getProjectSetting(project: string, key: string): string | undefined {
    const row = this.db
      .prepare('SELECT value FROM project_settings WHERE project = ? AND key = ?')
      .get(project, key) as { value: string } | undefined;
    return row?.value;
  }

  setProjectSetting(project: string, key: string, value: string): void {
    this.db
      .transaction(() => {
        if (!this.find(project))
          throw new AppError('NOT_FOUND', `no project named "${project}" is registered; see \`autocoder list\``);
        this.db
          .prepare(
            `INSERT INTO project_settings (project, key, value, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (project, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          )
          .run(project, key, value, this.clock.now());
      })
      .immediate();
  }

  /** Appends to the append-only `settings_changes` record; call it in the transaction that made the change. */
  recordSettingsChange(change: SettingsChangeRecord): number {
    const inserted = this.db
      .prepare(
        'INSERT INTO settings_changes (at, project, key, old_value, new_value, origin) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      )
      .get(this.clock.now(), change.project, change.key, toJson(change.old), toJson(change.new), change.origin) as {
      id: number;
    };
    return inserted.id;
  }

  registerWorker(worker: { name: string; host: string; pid: number; slots: number }): WorkerRecord {
    if (worker.name.trim() === '' || worker.name.length > 100) {
      throw new AppError('INVALID_INPUT', 'a worker name is 1 to 100 characters');
    }
    if (!Number.isInteger(worker.slots) || worker.slots < 1) {
      throw new AppError('INVALID_INPUT', 'a worker has at least one slot');
    }
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        // Workers that stopped a week ago are history nobody reads: each run on a shared store registers one.
        this.db.prepare('DELETE FROM workers WHERE stopped_at < ?').run(now - STOPPED_WORKERS_KEPT_MS);
        const held = this.db.prepare('SELECT * FROM workers WHERE name = ?').get(worker.name) as WorkerRow | undefined;
        if (held !== undefined && (held.host !== worker.host || held.pid !== worker.pid)) {
          const existing = toWorker(held);
          if (workerStatus(existing, now) === 'online') {
            throw new AppError(
              'CONFLICT',
              `a worker named "${worker.name}" is online (${held.host}, pid ${held.pid}, heartbeat ${Math.round((now - held.heartbeat_at) / 1000)} s ago); choose another name`,
            );
          }
        }
        return toWorker(
          this.db
            .prepare(
              `INSERT INTO workers (name, host, pid, slots, started_at, heartbeat_at, stopped_at, current)
               VALUES (@name, @host, @pid, @slots, @now, @now, NULL, '[]')
               ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid, slots = excluded.slots,
                 started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL,
                 current = '[]'
               RETURNING *`,
            )
            .get({ ...worker, now }) as WorkerRow,
        );
      })
      .immediate();
  }

  workerHeartbeat(name: string, pid: number, current: readonly WorkerFeature[]): boolean {
    const parsed = CurrentSchema.safeParse(current);
    if (!parsed.success) {
      throw new AppError(
        'INVALID_INPUT',
        `a worker's current features: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    const checked = parsed.data;
    return (
      this.db
        .prepare('UPDATE workers SET heartbeat_at = ?, current = ? WHERE name = ? AND pid = ? AND stopped_at IS NULL')
        .run(this.clock.now(), JSON.stringify(checked), name, pid).changes === 1
    );
  }

  stopWorker(name: string, pid: number): boolean {
    const now = this.clock.now();
    return (
      this.db
        .prepare(
          `UPDATE workers SET stopped_at = ?, heartbeat_at = ?, current = '[]' WHERE name = ? AND pid = ? AND stopped_at IS NULL`,
        )
        .run(now, now, name, pid).changes === 1
    );
  }

  workers(): WorkerRecord[] {
    return (this.db.prepare('SELECT * FROM workers ORDER BY name').all() as WorkerRow[]).map(toWorker);
  }

  /** Recorded changes, newest first; `project` narrows to one project's. */
  settingsChanges(options: { project?: string | undefined; limit: number }): StoredSettingsChange[] {
    const rows = (
      options.project === undefined
        ? this.db.prepare('SELECT * FROM settings_changes ORDER BY id DESC LIMIT ?').all(options.limit)
        : this.db
            .prepare('SELECT * FROM settings_changes WHERE project = ? ORDER BY id DESC LIMIT ?')
            .all(options.project, options.limit)
    ) as SettingsChangeRow[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      project: r.project,
      key: r.key,
      old: fromJson(r.old_value),
      new: fromJson(r.new_value),
      origin: r.origin,
    }));
  }
}

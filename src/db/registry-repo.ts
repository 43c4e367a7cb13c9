import { AppError } from '../domain/errors.js';
import type { Db } from './connection.js';
import {
  type Clock,
  type RegisteredProject,
  type RegistryPort,
  type SettingsChangeRecord,
  type StoredSettingsChange,
  systemClock,
} from './ports.js';

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

import { AppError } from '../domain/errors.js';
import type { Db } from './connection.js';
import { type Clock, systemClock } from './feature-repo.js';

export interface RegisteredProject {
  readonly name: string;
  readonly path: string;
  readonly createdAt: number;
}

interface ProjectRow {
  name: string;
  path: string;
  created_at: number;
}

const toProject = (r: ProjectRow): RegisteredProject => ({ name: r.name, path: r.path, createdAt: r.created_at });

/** Maps project names to absolute folders, in `$AUTOCODER_HOME/registry.db`. */
export class RegistryRepo {
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
          throw new AppError('DUPLICATE', `a project named "${name}" is already registered (at ${byName.path}); choose another name or remove it first`);
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
        if (!project) throw new AppError('NOT_FOUND', `no project named "${name}" is registered; see \`autocoder list\``);
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
    const row = this.db.prepare('SELECT value FROM project_settings WHERE project = ? AND key = ?').get(project, key) as { value: string } | undefined;
    return row?.value;
  }

  setProjectSetting(project: string, key: string, value: string): void {
    this.db
      .transaction(() => {
        if (!this.find(project)) throw new AppError('NOT_FOUND', `no project named "${project}" is registered; see \`autocoder list\``);
        this.db
          .prepare(
            `INSERT INTO project_settings (project, key, value, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (project, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          )
          .run(project, key, value, this.clock.now());
      })
      .immediate();
  }
}

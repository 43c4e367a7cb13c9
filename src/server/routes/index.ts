import type { RouteModule } from '../app.js';
import { acceptanceRoutes } from './acceptance.js';
import { browserViewRoutes } from './browser-view.js';
import { checkpointRoutes } from './checkpoints.js';
import { demoRoutes } from './demo.js';
import { designRoutes } from './design.js';
import { eventRoutes } from './events.js';
import { featureRoutes } from './features.js';
import { filesystemRoutes } from './filesystem.js';
import { humanInputRoutes } from './human-input.js';
import { metricsRoutes } from './metrics.js';
import { openApiRoutes } from './openapi.js';
import { previewRoutes } from './preview.js';
import { projectRoutes } from './projects.js';
import { reportRoutes } from './report.js';
import { sessionRoutes } from './sessions.js';
import { settingsRoutes } from './settings.js';
import { setupRoutes } from './setup.js';
import { specCheckRoutes } from './spec-check.js';
import { workerRoutes } from './workers.js';

/** The REST API besides health and agent control (which createApp registers itself). */
export const API_ROUTES: RouteModule[] = [
  setupRoutes,
  projectRoutes,
  featureRoutes,
  acceptanceRoutes,
  settingsRoutes,
  eventRoutes,
  humanInputRoutes,
  sessionRoutes,
  browserViewRoutes,
  metricsRoutes,
  checkpointRoutes,
  designRoutes,
  reportRoutes,
  filesystemRoutes,
  demoRoutes,
  specCheckRoutes,
  previewRoutes,
  workerRoutes,
  openApiRoutes,
];

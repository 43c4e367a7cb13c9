import { z } from 'zod';
import { DesignFindingSchema, DesignIterationSchema, PersonaNameSchema } from './design.js';
import { DesignCaptureSchema } from './design-capture.js';

/**
 * The Design API's request and response bodies (issue #18), as the web UI reads them: the list of iterations, one
 * iteration with its capture and findings, starting a review and dismissing a finding. Browser-safe (zod only). The
 * server's routes answer in these shapes (the lead reconciles them with the API's own schemas when wiring).
 */

/** `GET /api/projects/{name}/design`: every iteration, oldest first. */
export const DesignListResponseSchema = z.object({ iterations: z.array(DesignIterationSchema) });
export type DesignListResponse = z.infer<typeof DesignListResponseSchema>;

/** `GET /api/projects/{name}/design/{n}`: the iteration, its `capture.json` (null until written), what it found. */
export const DesignDetailResponseSchema = z.object({
  iteration: DesignIterationSchema,
  capture: DesignCaptureSchema.nullable(),
  /** Findings seen in this iteration. */
  findings: z.array(DesignFindingSchema),
  /** Earlier findings this iteration no longer saw. */
  resolved: z.array(DesignFindingSchema),
});
export type DesignDetailResponse = z.infer<typeof DesignDetailResponseSchema>;

/** `POST /api/projects/{name}/design/reviews`: no personas = the project's usual set. */
export const DesignReviewRequestSchema = z.object({ personas: z.array(PersonaNameSchema).min(1).optional() }).strict();
export type DesignReviewRequest = z.infer<typeof DesignReviewRequestSchema>;

/** Queued to the active run (it starts after the current landing), or started as a detached `autocoder` process. */
export const DesignReviewStartResponseSchema = z.union([
  z.object({ queued: z.literal(true), runId: z.string().nullable() }),
  z.object({ started: z.literal(true), pid: z.number().int().nullable() }),
]);
export type DesignReviewStartResponse = z.infer<typeof DesignReviewStartResponseSchema>;

/** `POST /api/projects/{name}/design/findings/{id}/dismiss`: a person says why it is not a problem. */
export const DesignDismissRequestSchema = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();
export type DesignDismissRequest = z.infer<typeof DesignDismissRequestSchema>;

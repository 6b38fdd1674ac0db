import { z } from 'zod';
import { slugSchema, timezoneSchema } from './shared.js';

/** `workload:` — what is being measured and who answers for it. */
export const workloadMetaSchema = z
  .strictObject({
    id: slugSchema.describe('Stable identifier of the workload; used in URLs, metrics and report file names.'),
    title: z.string().trim().min(1, { message: 'must not be empty' }).describe('Human-readable name shown on the dashboard and in reports.'),
    owner: z.string().trim().min(1, { message: 'must not be empty' }).optional().describe('Team or person accountable for the workload.'),
    description: z.string().optional().describe('Free text: what the workload does and for whom.'),
    timezone: timezoneSchema
      .default('UTC')
      .describe("The workload's local time zone: where calendar days and weeks begin when data is shown or reported by day or week."),
  })
  .describe('What is being measured and who answers for it.');

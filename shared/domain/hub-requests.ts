import { z } from 'zod';
import { groupings, type Quarter } from './hub-metrics.ts';
import { idSchema } from '#events/vocabulary.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like "2026-04"');

/** The hub metrics' query: a period of months, one spoke, pathway or provider, and grouping. */
export const metricsQuery = z.strictObject({
  from: month.optional().meta({ description: 'First month, inclusive (default: 11 months ago)' }),
  to: month.optional().meta({ description: 'Last month, inclusive (default: this month)' }),
  spoke: idSchema.optional(),
  pathway: idSchema.optional(),
  provider: idSchema.optional(),
  groupBy: z
    .string()
    .optional()
    .meta({ description: `Comma-separated, any of: ${groupings.join(', ')}` })
    .transform((value) => (value ? value.split(',') : []))
    .pipe(z.array(z.enum(groupings)).max(groupings.length)),
});

/** A spoke coordinator's metrics query: the hub's, the spoke being the one in the path. */
export const spokeMetricsQuery = metricsQuery.omit({ spoke: true });

/** A quarterly return's period: quarter n of the financial year starting in April of the year. */
export const returnPeriod = z
  .string()
  .regex(
    /^(\d{4})-Q([1-4])$/,
    'must be a financial-year quarter like "2026-Q1" (April to June 2026, of 2026/27)',
  )
  .transform((period) => ({
    year: Number(period.slice(0, 4)),
    quarter: Number(period.slice(6)) as Quarter,
  }));

export const returnQuery = z.strictObject({ format: z.enum(['json', 'csv']).optional() });

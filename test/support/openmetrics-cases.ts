import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The OpenMetrics project's parser test cases (test/fixtures/openmetrics/parsers; source in the
 * README beside them), and why Pillarboard's exposition parser deliberately accepts the invalid
 * ones it accepts. Shared by test/exposition-openmetrics.test.ts and the table in
 * docs/collectors.md, which that test keeps in step.
 */

export const OPENMETRICS_DIR = path.join(__dirname, '..', 'fixtures', 'openmetrics', 'parsers');

export interface OpenMetricsCase {
  name: string;
  text: string;
  shouldParse: boolean;
  comment?: string;
}

export function openMetricsCases(): OpenMetricsCase[] {
  return fs
    .readdirSync(OPENMETRICS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const t = JSON.parse(fs.readFileSync(path.join(OPENMETRICS_DIR, name, 'test.json'), 'utf8')) as { file: string; shouldParse: boolean; comment?: string };
      return { name, text: fs.readFileSync(path.join(OPENMETRICS_DIR, name, t.file), 'utf8'), shouldParse: t.shouldParse, ...(t.comment ? { comment: t.comment } : {}) };
    });
}

/** Why an invalid case is accepted: the reasons, each a design decision (docs/collectors.md). */
export const LENIENCY = {
  spacing: 'spacing the 0.0.4 text format and Prometheus’s text parser allow',
  eof: '`# EOF` is optional and nothing after it is read',
  exemplar: 'exemplars are not read (everything after ` # ` past the value is skipped)',
  metadata: 'metadata Pillarboard does not use is not checked',
  semantics: 'values and family structure are not checked, as in Prometheus’s scrape',
} as const;
export type Leniency = keyof typeof LENIENCY;

const RULES: Array<[RegExp, Leniency]> = [
  [/^bad_(blank_line|value_[123]|help_[34]|type_6|missing_or_extra_commas_2|invalid_labels_6)$/, 'spacing'],
  [/^bad_(no_eof|text_after_eof_[01])$/, 'eof'],
  [/^bad_(exemplar_complex_chars|exemplar_timestamp_[012]|exemplars_([02-9]|1[01])|exemplars_on_unallowed_(metric_types_[012]|samples_[0-3]))$/, 'exemplar'],
  [/^bad_(unit_[0-7]|metadata|repeated_metadata_3|metadata_in_wrong_place_[012]|clashing_names_2|type_7|help_2)$/, 'metadata'],
  [/^bad_(counter_values_(\d|1\d)|histograms_(\d|1[0-4])|stateset_info_values_[0-3]|info_and_stateset_values_[01]|missing_or_invalid_labels_for_a_type_[0-47]|grouping_or_ordering_([02-9]|10))$/, 'semantics'],
];

/** The reason an invalid case is accepted, or undefined when it should be rejected. */
export function leniencyOf(name: string): Leniency | undefined {
  return RULES.find(([re]) => re.test(name))?.[1];
}

import { SERIES } from './series.js';

/**
 * What to do when a derived series (series.ts) has no value, in words for the wall screen:
 * these series are computed from operational events, so "no series matches
 * ops_days_since_last_gameday{…}" really means "no game day was ever recorded". The runtime
 * hands `missingDataHint` to the evaluator, which uses it as the no-data reason of any
 * indicator reading one of these series. Commands quoted here are `pillarboard event add`'s
 * real flags (server/cli.ts); docs/events.md has the rest.
 */

const DEPLOY = 'connect a `git` collector or a CI webhook, or post one with `pillarboard event add --kind deployment --id <id> --service <name>`';
const INCIDENT = 'post incidents with `pillarboard event add --kind incident --id <id> --start <time> --end <time>` or connect a PagerDuty, GitHub or GitLab webhook';

const HINTS: Readonly<Record<string, string>> = {
  [SERIES.deploymentFrequency]: `no deployment recorded yet: ${DEPLOY}`,
  [SERIES.deployments]: `no deployment recorded yet: ${DEPLOY}`,
  [SERIES.leadTime]: 'no deployment with its commits recorded in the window yet: connect a `git` collector, or post one with `pillarboard event add --kind deployment --id <id> --commit <sha>`',
  [SERIES.changeFailure]: `no deployment recorded in the window yet, so no failure rate: ${DEPLOY}`,
  [SERIES.changeSize]: 'no deployment with its commits recorded in the window yet: connect a `git` collector, or post one with `pillarboard event add --kind deployment --id <id> --commit <sha>`',
  [SERIES.pipelineRatio]: `no deployment recorded in the window yet: ${DEPLOY}`,
  [SERIES.rollbackRatio]: `no deployment recorded in the window yet: ${DEPLOY}`,
  [SERIES.rollbackPathRatio]: `no deployment recorded in the window yet: ${DEPLOY}`,
  [SERIES.tier]: `no deployment recorded in the window yet: ${DEPLOY}`,
  [SERIES.timeToRestore]: `no incident restored in the window yet (good news, or none reported): ${INCIDENT}`,
  [SERIES.incidentReviewRatio]:
    'no restored incident to review in the window yet: after an incident, post its review with `pillarboard event add --kind review --id <id> --incident <incident id>`',
  [SERIES.repeatIncidents]: `no incident recorded yet: ${INCIDENT}`,
  [SERIES.daysSinceGameday]: 'no game day recorded yet: post one with `pillarboard event add --kind gameday --id <id> --title <what was rehearsed>`',
  [SERIES.gamedays]: 'no game day recorded yet: post one with `pillarboard event add --kind gameday --id <id> --title <what was rehearsed>`',
  [SERIES.gamedayFindings]: 'no game day recorded yet: post one with `pillarboard event add --kind gameday --id <id> --attr findings:=<n>`',
  [SERIES.openActionItems]: 'no action item recorded yet: post one with `pillarboard event add --kind action_item --id <id> --incident <incident id>`',
  [SERIES.actionItemAge]: 'no action item recorded yet: post one with `pillarboard event add --kind action_item --id <id> --incident <incident id>`',
  [SERIES.runbookAge]: 'no review of this runbook recorded yet: set its `reviewed` date under `operations.runbooks`, or post one with `pillarboard event add --kind review --id <id> --attr runbook=<runbook id>`',
};

/** The sentence for a derived series with no value, by metric name; null for any other series. */
export function missingDataHint(seriesName: string): string | null {
  return Object.hasOwn(HINTS, seriesName) ? HINTS[seriesName]! : null;
}

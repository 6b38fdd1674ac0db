import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { badParam, Problem, type ProblemField } from '../problem.js';
import { requireScope } from '../auth.js';
import { LensInvalidError, planCsv, planMarkdown, ReviewInputError, type ReviewApi } from '../../review/index.js';
import { LENS_LIMITS } from '../../review/lens/format.js';
import { answer } from '../contract/route.js';
import { LensListSchema, LensRemovedSchema, MilestoneListSchema, PlanItemAnswerSchema, ReviewAnswerSchema } from '../contract/review.js';
import { ReviewSummarySchema } from '../contract/review-schemas.js';

/**
 * Well-Architected reviews (docs/review.md): lenses, answers, risks per pillar, milestones and
 * the improvement plan. Reads need read scope like every /api route; answers, milestones and
 * plan edits need write; importing and deleting lenses needs admin.
 */

function service(deps: AppDeps): ReviewApi {
  if (!deps.review) throw new Problem(503, 'not-ready', 'Reviews unavailable', 'this server has no review service');
  return deps.review;
}

/** Review errors → problem+json naming the field. */
function translate(err: unknown, where: ProblemField['in']): never {
  if (err instanceof LensInvalidError) {
    throw new Problem(
      422,
      'invalid-lens',
      'The lens is invalid',
      `${err.issues.length} problem(s); nothing was imported`,
      err.issues.map((i) => ({ name: i.path, in: 'body' as const, message: i.message })),
    );
  }
  if (err instanceof ReviewInputError) {
    const slug = err.status === 404 ? 'not-found' : err.status === 409 ? 'conflict' : 'invalid-parameter';
    const title = err.status === 404 ? 'Not found' : err.status === 409 ? 'Conflict' : 'Invalid request';
    const inWhere = err.status === 404 && where === 'body' ? 'path' : where;
    throw new Problem(err.status, slug, title, err.message, [{ name: err.field, in: inWhere, message: err.message }]);
  }
  throw err;
}

function run<T>(where: ProblemField['in'], fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    return translate(err, where);
  }
}

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw new Problem(400, 'invalid-body', 'Invalid body', 'the body must be a JSON object (Content-Type: application/json)', [
      { name: 'body', in: 'body', message: 'expected a JSON object' },
    ]);
  }
  return b as Record<string, unknown>;
}

/** An optional boolean query parameter: absent, true/false or 1/0. */
function boolQuery(value: unknown, name: string): boolean {
  if (value === undefined || value === '' || value === 'true' || value === '1') return value !== undefined;
  if (value === 'false' || value === '0') return false;
  throw new Problem(400, 'invalid-parameter', 'Invalid request', `${name} must be true or false`, [{ name, in: 'query', message: 'expected true or false' }]);
}

function intParam(value: unknown, name: string, where: ProblemField['in']): number {
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1) throw badParam(name, 'must be a milestone id (a positive integer)', where);
  return n;
}

/** A path parameter as text (express types allow arrays for wildcards, which these routes have none of). */
const param = (req: Request, name: string) => String(req.params[name]);

const by = (res: Response) => (res.locals.token as { name?: string } | undefined)?.name ?? null;

export function reviewRoutes(deps: AppDeps): Router {
  const r = Router();
  const write = requireScope('write', deps);
  const admin = requireScope('admin', deps);
  const lensQuery = (req: Request) => (typeof req.query.lens === 'string' && req.query.lens !== '' ? req.query.lens : undefined);

  r.get('/api/review/summary', (_req, res) => {
    const s = service(deps);
    res.json(answer(ReviewSummarySchema, { ...s.summary(), lastMilestone: s.milestones().at(-1) ?? null }));
  });

  r.get('/api/review', (req, res) => {
    const s = service(deps);
    const lenses = run('query', () => s.review(lensQuery(req)));
    res.json(answer(ReviewAnswerSchema, { generatedAt: new Date(deps.clock.now()).toISOString(), lenses, bindingProblems: s.bindingProblems() }));
  });

  r.get('/api/review/lenses', (_req, res) => {
    res.json(answer(LensListSchema, { lenses: service(deps).lensInfos() }));
  });

  r.post('/api/review/lenses', admin, (req, res) => {
    const s = service(deps);
    const length = Number(req.get('content-length'));
    if (Number.isFinite(length) && length > LENS_LIMITS.fileBytes) {
      throw new Problem(422, 'invalid-lens', 'The lens is invalid', `the lens is ${length} bytes; the format allows at most ${LENS_LIMITS.fileBytes}`, [
        { name: '$', in: 'body', message: `larger than ${LENS_LIMITS.fileBytes} bytes` },
      ]);
    }
    const id = typeof req.query.id === 'string' && req.query.id !== '' ? req.query.id : undefined;
    const result = run('query', () => s.importLens({ body: req.body as unknown, id }));
    res.status(result.created ? 201 : 200).json(result);
  });

  r.get('/api/review/lenses/:lens', (req, res) => {
    const doc = service(deps).lensDocument(param(req, 'lens'));
    if (!doc) throw new Problem(404, 'not-found', 'Lens not found', `no lens "${param(req, 'lens')}"`);
    if (req.query.download !== undefined) res.attachment(`${param(req, 'lens')}.json`);
    res.json(doc);
  });

  r.delete('/api/review/lenses/:lens', admin, (req, res) => {
    const force = boolQuery(req.query.force, 'force');
    try {
      res.json(answer(LensRemovedSchema, service(deps).deleteLens(param(req, 'lens'), { force })));
    } catch (err) {
      // "in use" names the `force` query parameter; everything else is about the path.
      if (err instanceof ReviewInputError && err.field === 'force') {
        throw new Problem(409, 'conflict', 'Conflict', err.message.replace('force it:', 'add ?force=true:'), [{ name: 'force', in: 'query', message: err.message }]);
      }
      translate(err, 'path');
    }
  });

  r.get('/api/review/lenses/:lens/questions/:question', (req, res) => {
    res.json(run('path', () => service(deps).question(param(req, 'lens'), param(req, 'question'))));
  });

  r.put('/api/review/lenses/:lens/questions/:question/answer', write, (req, res) => {
    const b = body(req);
    res.json(run('body', () => service(deps).answer(param(req, 'lens'), param(req, 'question'), b, by(res))));
  });

  r.delete('/api/review/lenses/:lens/questions/:question/answer', write, (req, res) => {
    res.json(run('path', () => service(deps).clearAnswer(param(req, 'lens'), param(req, 'question'))));
  });

  r.get('/api/review/milestones', (_req, res) => {
    res.json(answer(MilestoneListSchema, { milestones: service(deps).milestones() }));
  });

  r.post('/api/review/milestones', write, (req, res) => {
    const b = body(req);
    res.status(201).json(run('body', () => service(deps).createMilestone(b.name as string)));
  });

  r.get('/api/review/milestones/compare', (req, res) => {
    const from = intParam(req.query.from, 'from', 'query');
    const to = req.query.to === undefined || req.query.to === 'current' ? 'current' : intParam(req.query.to, 'to', 'query');
    res.json(run('query', () => service(deps).compareMilestones(from, to)));
  });

  r.get('/api/review/milestones/:id', (req, res) => {
    const id = intParam(param(req, 'id'), 'id', 'path');
    res.json(run('path', () => service(deps).milestone(id)));
  });

  r.get('/api/review/plan', (req, res) => {
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'markdown') throw badParam('format', 'must be json, csv or markdown');
    const plan = run('query', () => service(deps).plan({ lens: lensQuery(req) }));
    if (format === 'csv') res.type('text/csv; charset=utf-8').attachment('improvement-plan.csv').send(planCsv(plan));
    else if (format === 'markdown') res.type('text/markdown; charset=utf-8').send(planMarkdown(plan));
    else res.json(plan);
  });

  r.patch('/api/review/plan/:lens/:question', write, (req, res) => {
    const b = body(req);
    const item = run('body', () => service(deps).updatePlanItem(param(req, 'lens'), param(req, 'question'), b));
    res.json(answer(PlanItemAnswerSchema, { item }));
  });

  return r;
}

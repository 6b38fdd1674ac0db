import type { RouteSpec } from './route.js';
import { evaluationRoutes, healthRoutes } from './evaluation.js';
import { collectionRoutes } from './collection.js';
import { eventRoutes } from './events.js';
import { reportRoutes } from './reports.js';
import { doraRoutes } from './dora.js';
import { reviewRoutes } from './review.js';
import { notificationRoutes } from './notifications.js';
import { otlpRoutes } from './otlp.js';

/**
 * Every operation of the HTTP API, in the order the document lists them. Adding a route is a
 * declaration in its area's file (one line here for a new area); the OpenAPI document, the
 * request checks and the response checks of the API tests all follow from it. A test fails
 * when Express serves a route not declared here, or the other way round.
 */
export const API_ROUTES: readonly RouteSpec[] = [
  ...healthRoutes,
  ...evaluationRoutes,
  ...collectionRoutes,
  ...eventRoutes,
  ...reportRoutes,
  ...doraRoutes,
  ...reviewRoutes,
  ...notificationRoutes,
  ...otlpRoutes,
];

export type { RouteSpec, Scope, Method } from './route.js';

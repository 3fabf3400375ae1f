// createApp wires middleware, routes and the error contract around injected dependencies; it never
// listens, so tests and server.ts build the very same app.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { ApiDeps } from './deps.js';
import { ApiError, errorBody, errorHandler } from './errors.js';
import { authOf, authenticate } from './middleware/auth.js';
import { createIdempotencyStore } from './idempotency.js';
import { fieldCipher } from '../db/at-rest.js';
import { agenciesRouter } from './routes/agencies.js';
import { approvalsRouter } from './routes/approvals.js';
import { casesRouter } from './routes/cases.js';
import { platformRouter } from './routes/platform.js';
import { statsRouter } from './routes/stats.js';
import { tasksRouter } from './routes/tasks.js';
import { createAgencyService } from './services/agencies.js';
import { operationsRouter } from './routes/operations.js';
import { createOperationService } from './services/operations.js';
import { retentionRouter } from './routes/retention.js';
import { createRetentionService } from './services/retention.js';
import { createApprovalService } from './services/approvals.js';
import { createCaseService } from './services/cases.js';
import { createStatsService } from './services/stats.js';
import { createTaskService } from './services/tasks.js';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  // Every write route honours Idempotency-Key through this one store (api/http.ts).
  app.locals.idempotency = createIdempotencyStore(deps.db, fieldCipher(deps.config));

  app.use((req, res, next) => {
    const incoming = req.get('X-Request-Id');
    res.locals.requestId = incoming && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', res.locals.requestId as string);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The path only, never the query string: `q` may hold an identity document number.
      deps.logger.info(
        { requestId: res.locals.requestId, method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
    });
    next();
  });

  app.use(platformRouter(deps));

  const jsonTypes = ['application/json', 'application/*+json'];
  // A raid of 10,000 persons is several megabytes; every other body stays under the general limit.
  app.use('/v1/operations', express.json({ limit: deps.config.operationBodyLimit, type: jsonTypes }));
  app.use(express.json({ limit: deps.config.bodyLimit, type: jsonTypes }));
  app.use('/v1', authenticate(deps.config.auth));
  app.use(
    '/v1',
    rateLimit({
      windowMs: 60_000,
      limit: deps.config.rateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (_req, res) => authOf(res).sub,
      handler: (_req, res) => {
        const retry = Math.ceil(60);
        res.setHeader('Retry-After', String(retry));
        res.status(429).json(errorBody(new ApiError('rate_limited', 'too many requests; slow down'), String(res.locals.requestId)));
      },
    }),
  );

  app.use(casesRouter(createCaseService(deps)));
  app.use(tasksRouter(createTaskService(deps)));
  app.use(approvalsRouter(createApprovalService(deps)));
  app.use(agenciesRouter(createAgencyService(deps)));
  app.use(statsRouter(createStatsService(deps)));
  app.use(operationsRouter(createOperationService(deps)));
  app.use(retentionRouter(createRetentionService(deps)));

  app.use((_req, _res) => {
    throw new ApiError('not_found', 'no such endpoint');
  });
  app.use(errorHandler(deps.logger));
  return app;
}

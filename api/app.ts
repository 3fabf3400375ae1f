// createApp wires middleware, routes and the error contract around injected dependencies; it never
// listens, so tests and server.ts build the very same app.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { ApiDeps } from './deps.js';
import { ApiError, errorHandler } from './errors.js';
import { identify, requireAuth } from './middleware/auth.js';
import { anonymousRateLimit, noStore, securityHeaders, subjectRateLimit } from './middleware/hardening.js';
import { storableBody, storableUrlAndHeaders } from './middleware/storable-input.js';
import { codecRouter } from './routes/codec.js';
import { consoleRouter, consoleStatic } from './routes/console.js';
import { createIdempotencyStore } from './idempotency.js';
import { type AccessLog, createAccessLog } from './access-log.js';
import { accessLogRouter } from './routes/access-log.js';
import { fieldCipher } from '../db/at-rest.js';
import { agenciesRouter } from './routes/agencies.js';
import { approvalsRouter } from './routes/approvals.js';
import { casesRouter } from './routes/cases.js';
import { platformRouter } from './routes/platform.js';
import { createApiMetrics } from './metrics/index.js';
import { metricsRouter } from './routes/metrics.js';
import { docsRouter } from './routes/docs.js';
import { statsRouter } from './routes/stats.js';
import { exportsRouter } from './routes/exports.js';
import { createExportService } from './services/exports.js';
import { tasksRouter } from './routes/tasks.js';
import { createAgencyService } from './services/agencies.js';
import { createAccessLogService } from './services/access-log.js';
import { operationsRouter } from './routes/operations.js';
import { createOperationService } from './services/operations.js';
import { createBulkActionService } from './services/bulk-actions.js';
import { retentionRouter } from './routes/retention.js';
import { createRetentionService } from './services/retention.js';
import { createApprovalService } from './services/approvals.js';
import { createCaseService } from './services/cases.js';
import { reopenRouter } from './routes/reopen.js';
import { createReopenService } from './services/reopen.js';
import { createStatsService } from './services/stats.js';
import { createTaskService } from './services/tasks.js';
import { webhooksRouter } from './routes/webhooks.js';
import { createWebhookService } from './services/webhooks.js';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Whose address X-Forwarded-For may name: the per-IP limit below counts clients, not the proxy.
  app.set('trust proxy', /^\d+$/.test(deps.config.hardening.trustProxy) ? Number(deps.config.hardening.trustProxy) : deps.config.hardening.trustProxy);
  app.set('query parser', 'simple');
  // Every write route honours Idempotency-Key through this one store (api/http.ts).
  app.locals.idempotency = createIdempotencyStore(deps.db, fieldCipher(deps.config));
  // Every response carrying a person's data is written here first (api/http.ts, api/access-log.ts).
  app.locals.accessLog = createAccessLog(deps.db);
  // First, so that every request is timed, including those refused before routing.
  const metrics = createApiMetrics(deps);
  app.use(metrics.http);

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
  // Hostile input never gets further than this (api/middleware/storable-input.ts).
  app.use(storableUrlAndHeaders());

  // Hardening (api/middleware/hardening.ts), before anything answers and before any body is read:
  // security headers; who is calling (a verified token, or nobody yet); a per-IP limit for nobodies.
  app.use(securityHeaders({ connectSrc: deps.config.console.oidc ? [new URL(deps.config.console.oidc.issuer).origin] : [] }));
  app.use(['/v1', '/codec'], noStore);
  app.use(identify(deps.config.auth));
  app.use(anonymousRateLimit(deps.config.hardening.anonymousRateLimitPerMinute));

  app.use(platformRouter(deps));
  app.use(metricsRouter(metrics));
  app.use(docsRouter());
  app.use('/codec', codecRouter(deps));
  // The web console's settings and development sign-in (api/routes/console.ts).
  app.use(consoleRouter(deps.config));

  // Authenticated and within the caller's budget before a body is read: an unauthenticated 32 MB
  // POST is refused without reading it. Only /v1 takes bodies (the codec reads its own).
  app.use('/v1', requireAuth, subjectRateLimit(deps.config.rateLimitPerMinute));
  const jsonTypes = ['application/json', 'application/*+json'];
  // A raid of 10,000 persons is several megabytes; every other body stays under the general limit.
  app.use('/v1/operations', express.json({ limit: deps.config.operationBodyLimit, type: jsonTypes }));
  app.use('/v1', express.json({ limit: deps.config.bodyLimit, type: jsonTypes }));
  app.use(storableBody());

  const caseService = createCaseService(deps);
  app.use(casesRouter(caseService));
  app.use(reopenRouter(createReopenService(deps, caseService)));
  app.use(accessLogRouter(createAccessLogService(deps)));
  app.use(tasksRouter(createTaskService(deps)));
  app.use(approvalsRouter(createApprovalService(deps)));
  app.use(agenciesRouter(createAgencyService(deps)));
  app.use(statsRouter(createStatsService(deps)));
  app.use(exportsRouter(createExportService(deps, app.locals.accessLog as AccessLog)));
  const operations = createOperationService(deps);
  app.use(operationsRouter(operations, createBulkActionService(deps, operations)));
  app.use(retentionRouter(createRetentionService(deps)));
  app.use(webhooksRouter(createWebhookService(deps)));

  // The web console's files at `/` (never /v1 or a platform path), last, so it shadows nothing.
  app.use(consoleStatic(deps.config));

  app.use((_req, _res) => {
    throw new ApiError('not_found', 'no such endpoint');
  });
  app.use(errorHandler(deps.logger));
  return app;
}

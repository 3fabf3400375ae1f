// GET /docs: the API reference page, Swagger UI served from the swagger-ui-dist package (no CDN,
// nothing external), reading /openapi.json. The page and our initializer are ours; only the
// package's script, styles and icons are served from it. No inline script, so the page runs under
// the same Content-Security-Policy as everything else (api/middleware/hardening.ts).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type RequestHandler, Router } from 'express';

const ASSETS_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
// The package's own index.html and initializer load the Petstore; its other files are not needed.
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Homeward API reference</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// BaseLayout without the standalone preset: no top bar that loads a document from any URL typed
// into it. validatorUrl null: the page never calls swagger.io's validator.
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

export function docsRouter(): Router {
  const router = Router();
  const assets = express.static(ASSETS_DIR, { index: false, fallthrough: true });
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  const serveAssets: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/swagger-initializer.js') {
      res.type('text/javascript').send(INITIALIZER);
      return;
    }
    if (!ASSETS.has(req.path.slice(1))) return next();
    assets(req, res, next);
  };
  router.use('/docs', serveAssets);
  return router;
}

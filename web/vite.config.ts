// The console's build: `npm run build:web` writes web/dist, which the API serves at `/`
// (api/routes/console.ts). No inline scripts, so the page runs under the API's CSP (script-src 'self').
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ command }) => ({
  root: here,
  // A build is for production even when started from the test runner (NODE_ENV=test would give React's development build).
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows no inline script; Vite's module preload polyfill would be one.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        // Charts are only for supervisors: their library loads with the dashboard, not the first page.
        // React gets a chunk of its own: left to Rollup, it lands in the charts chunk (both use it),
        // and the first page would then download every chart to get React.
        manualChunks: (id) =>
          /node_modules\/(react|react-dom|scheduler)\//.test(id)
            ? 'react'
            : id.includes('node_modules/recharts') || id.includes('node_modules/d3-')
              ? 'charts'
              : undefined,
      },
    },
  },
  server: { proxy: { '/v1': 'http://localhost:3000', '/dev': 'http://localhost:3000', '/console': 'http://localhost:3000', '/openapi.json': 'http://localhost:3000' } },
}));

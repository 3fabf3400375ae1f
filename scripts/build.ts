// `npm run build [-- --out DIR]`: the production build. Compiles what the image runs to JavaScript
// (tsconfig.build.json), copies the files that code reads at run time beside it, and bundles the
// workflows once, here, so no production process needs TypeScript, tsx or webpack's first-start delay.
//
//   DIR/api/server.js, DIR/worker/main.js, DIR/db/migrate.js, DIR/scripts/*.js   compiled entry points
//   DIR/db/migrations/                          read by db/migrate.ts (path relative to the module)
//   DIR/temporal/failure-converter.cjs          loaded by the SDK with require() (temporal/client.ts)
//   DIR/workflow-bundle.js                      the worker's workflow code (worker/worker.ts)
//
// The bundle comes from the same function and the same TypeScript sources as the bundle the replay
// tests load, so production runs the workflow code that the recorded histories were checked against.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import ts from 'typescript';
import { PREBUILT_BUNDLE_PATH, workflowBundle } from '../worker/worker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const execFileAsync = promisify(execFile);
const shown = (p: string) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);

/** The compiled entry points, as the image and the npm scripts start them. */
export const ENTRY_POINTS = ['api/server.js', 'worker/main.js', 'db/migrate.js', 'scripts/worker-health.js', 'scripts/rotate-keys.js', 'scripts/token.js'];
/** Loaded by path, not imported (temporal/client.ts), so listed with the entry points. */
const LOADED_BY_PATH = ['temporal/failure-converter.cjs'];

const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * Follows the imports of the compiled entry points through `outDir` and returns every package they
 * reach that package.json does not list in "dependencies" (the image installs only those), and
 * every relative import that points at no file of the build. Both would fail only at run time.
 */
export async function runtimeImportProblems(outDir: string, dependencies: Record<string, string>): Promise<string[]> {
  const problems = new Set<string>();
  const seen = new Set<string>();
  const queue = [...ENTRY_POINTS, ...LOADED_BY_PATH].map((entry) => path.join(outDir, entry));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await fsp.readFile(file, 'utf8').catch(() => undefined);
    if (source === undefined) {
      problems.add(`${path.relative(outDir, file)} is imported but not in the build`);
      continue;
    }
    // TypeScript's own scanner: static and dynamic imports and require() calls, never strings that
    // merely look like them.
    for (const { fileName: specifier } of ts.preProcessFile(source, true, true).importedFiles) {
      if (specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), specifier));
      else if (!specifier.startsWith('node:') && !builtinModules.includes(packageOf(specifier)) && !(packageOf(specifier) in dependencies)) {
        problems.add(`${path.relative(outDir, file)} imports ${specifier}, which is not in package.json "dependencies"`);
      }
    }
  }
  return [...problems].sort();
}

async function compile(out: string): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    await execFileAsync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`tsc failed:\n${stdout}${stderr}`, { cause: err });
  }
  await fsp.cp(path.join(ROOT, 'db', 'migrations'), path.join(out, 'db', 'migrations'), { recursive: true });
  await fsp.copyFile(path.join(ROOT, 'temporal', 'failure-converter.cjs'), path.join(out, 'temporal', 'failure-converter.cjs'));
  const { dependencies = {} } = JSON.parse(await fsp.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const problems = await runtimeImportProblems(out, dependencies);
  if (problems.length > 0) throw new Error(`the compiled code would fail in the image (npm ci --omit=dev):\n  ${problems.join('\n  ')}`);
}

/** The web console (web/), built by vite where the compiled API looks for it (api/routes/console.ts: <out>/web/dist). */
async function consoleAssets(out: string): Promise<string> {
  const dir = path.join(out, 'web', 'dist');
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  return dir;
}

/** Writes the workflow bundle; returns where, its size and its sha256 (which tells bundles apart in logs). */
async function bundle(out: string): Promise<{ file: string; kib: number; sha256: string }> {
  const { code } = await workflowBundle();
  const file = path.join(out, path.relative(ROOT, PREBUILT_BUNDLE_PATH));
  await fsp.writeFile(file, code);
  return { file, kib: Math.round(code.length / 1024), sha256: createHash('sha256').update(code).digest('hex') };
}

export async function build(outDir: string, log: (line: string) => void = (l) => console.error(l)): Promise<void> {
  const out = path.resolve(outDir);
  // A stale file from an earlier build must never ship, so the folder is rebuilt from nothing.
  await fsp.rm(out, { recursive: true, force: true });
  await fsp.mkdir(out, { recursive: true });
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  // tsc runs in a child process and webpack in this one, so the two share the machine's cores.
  await Promise.all([
    compile(out).then(() => log(`compiled to ${shown(out)} in ${elapsed()}`)),
    consoleAssets(out).then((dir) => log(`built the web console into ${shown(dir)} in ${elapsed()}`)),
    bundle(out).then(({ file, kib, sha256 }) => log(`bundled the workflows into ${shown(file)} (${kib} KiB, sha256 ${sha256.slice(0, 16)}) in ${elapsed()}`)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'dist') } } });
  build(values.out).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}

// Where `npm start`, the tests and CI get the Temporal CLI (scripts/temporal-cli.ts), run as CI runs
// it (`scripts/temporal-server.ts --ensure-cli-only`) in an environment of the test's own: an
// existing binary first, then Go's build, then the SDK's download from temporal.download, then the
// clear message. No network is involved: `go` is a stand-in script whose build fails as it would
// offline, and the download goes through a proxy on a port where nothing listens, so it fails the
// same way on a machine with internet access.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/temporal-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SYSTEM_PATH = ['/usr/bin', '/bin'].filter((dir) => !fs.existsSync(path.join(dir, 'temporal')) && !fs.existsSync(path.join(dir, 'go')));

let dir: string;
let deadProxy: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-cli-lookup-'));
  deadProxy = `http://127.0.0.1:${await freePort()}`;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let caseNo = 0;
/** A fresh world: its own bin folder on PATH, data folder, temp folder and home. */
function world() {
  const root = path.join(dir, `case-${++caseNo}`);
  const w = {
    root,
    bin: path.join(root, 'bin'),
    data: path.join(root, 'data'),
    gopath: path.join(root, 'gopath'),
    goCalls: path.join(root, 'go-calls'),
    executable(file: string, body = '#!/bin/sh\necho "temporal version 0.0.0 (stand-in)"\n') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body, { mode: 0o755 });
      return file;
    },
    /** A `go` that reports a recent version and fails to build, as it does without network access. */
    go() {
      w.executable(
        path.join(w.bin, 'go'),
        [
          '#!/bin/sh',
          `echo "$*" >> '${w.goCalls}'`,
          'case "$1" in',
          `  env) printf 'go1.26.0\\n\\n%s\\n' '${w.gopath}' ;;`,
          '  install) echo "go: github.com/temporalio/cli/cmd/temporal@v1.5.1: dial tcp: lookup proxy.golang.org: no such host" >&2; exit 1 ;;',
          'esac',
        ].join('\n'),
      );
    },
    goCallLines: () => (fs.existsSync(w.goCalls) ? fs.readFileSync(w.goCalls, 'utf8').trim().split('\n') : []),
    lookup(env: Record<string, string> = {}) {
      fs.mkdirSync(w.bin, { recursive: true });
      fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
      return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'scripts/temporal-server.ts', '--ensure-cli-only'],
          {
            cwd: ROOT,
            timeout: 60_000,
            // Nothing of the machine's own: no TEMPORAL_CLI from CI, no Go, no CLI, no proxy exceptions.
            env: {
              PATH: [w.bin, ...SYSTEM_PATH].join(path.delimiter),
              HOME: root,
              TMPDIR: path.join(root, 'tmp'),
              HOMEWARD_DATA_DIR: w.data,
              HTTPS_PROXY: deadProxy,
              https_proxy: deadProxy,
              ...env,
            },
          },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    },
  };
  return w;
}
const lastLine = (s: string) => s.trim().split('\n').at(-1);

describe('finding the Temporal CLI', () => {
  it('when a CLI is on PATH, then it is the one, and neither Go nor the download is tried; TEMPORAL_CLI comes before it', async () => {
    const w = world();
    const onPath = w.executable(path.join(w.bin, 'temporal'));
    w.go();
    const found = await w.lookup();
    expect(found.code, found.stderr).toBe(0);
    expect(lastLine(found.stdout)).toBe(onPath);
    expect(w.goCallLines()).toEqual([]);

    const chosen = w.executable(path.join(w.root, 'elsewhere', 'temporal'));
    const explicit = await w.lookup({ TEMPORAL_CLI: chosen });
    expect(lastLine(explicit.stdout)).toBe(chosen);
  });

  it('when TEMPORAL_CLI names no executable file, then it stops there, naming TEMPORAL_CLI', async () => {
    const w = world();
    w.executable(path.join(w.bin, 'temporal'));
    const result = await w.lookup({ TEMPORAL_CLI: path.join(w.root, 'missing', 'temporal') });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/TEMPORAL_CLI is set to ".*missing\/temporal", which is not an executable file/);
  });

  it("when Go built the CLI before, then Go's bin folder has it and nothing is built again", async () => {
    const w = world();
    w.go();
    const built = w.executable(path.join(w.gopath, 'bin', 'temporal'));
    const found = await w.lookup();
    expect(found.code, found.stderr).toBe(0);
    expect(lastLine(found.stdout)).toBe(built);
    expect(w.goCallLines().some((l) => l.startsWith('install'))).toBe(false);
  });

  it('when the SDK fetched the CLI on an earlier start, then the copy in the data folder is used without the network', async () => {
    const w = world();
    const fetched = w.executable(path.join(w.data, 'temporal-cli', 'temporal-sdk-typescript-1.24.0'));
    const found = await w.lookup();
    expect(found.code, found.stderr).toBe(0);
    expect(lastLine(found.stdout)).toBe(fetched);
  });

  it("when Go's build fails, then the SDK's download is tried next, and when it fails too, the message says what was tried and what else works", async () => {
    const w = world();
    w.go();
    const result = await w.lookup();
    expect(result.code).not.toBe(0);
    expect(result.stdout.trim()).toBe('');
    const err = result.stderr;
    const order = [
      err.indexOf('building github.com/temporalio/cli/cmd/temporal@v1.5.1 with go1.26.0'),
      err.indexOf('Go: building the CLI failed'),
      err.indexOf('fetching the Temporal CLI from temporal.download'),
      err.indexOf('No Temporal CLI ("temporal")'),
    ];
    expect(order.every((at) => at >= 0), err).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(err).toContain('proxy.golang.org: no such host');
    expect(err).toMatch(/download from temporal\.download \(as @temporalio\/testing does\) failed: .*temporal\.download/);
    expect(err).toContain('Ways to get a Temporal server');
    expect(err).toContain('TEMPORAL_ADDRESS=host:7233');
    expect(w.goCallLines().filter((l) => l.startsWith('install'))).toEqual(['install github.com/temporalio/cli/cmd/temporal@v1.5.1']);
    // A failed download leaves nothing that a later start could take for a CLI.
    expect(fs.readdirSync(path.join(w.data, 'temporal-cli'))).toEqual([]);
  });

  it('when there is neither a CLI nor Go, then the download is tried, and its failure ends in the clear message', async () => {
    const w = world();
    const result = await w.lookup();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Go: not on PATH, so nothing was built');
    expect(result.stderr.indexOf('fetching the Temporal CLI from temporal.download')).toBeLessThan(result.stderr.indexOf('No Temporal CLI'));
    expect(result.stderr).toMatch(/download from temporal\.download \(as @temporalio\/testing does\) failed/);
    expect(result.stderr).toContain('install Go >= 1.25');
  });
});

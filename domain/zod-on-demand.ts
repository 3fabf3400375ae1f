// zod for workflow code: loaded when a schema is first built, not when a workflow's modules are
// evaluated. Every new case workflow evaluates its modules afresh in the sandbox, and evaluating zod
// took about 6 ms of each (npm run bench:workflow-modules), while most workflow tasks (a case's
// opening, its timers, signals) build no schema at all; an update's validator builds the few it
// needs. Only the workflow bundle uses this module, in place of domain/zod.ts (worker/worker.ts).
import type { z as Zod } from 'zod';

let loaded: typeof Zod | undefined;
// webpack turns this require into its own module loader, which evaluates zod on the first call only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (): typeof Zod => (loaded ??= (require('zod') as { z: typeof Zod }).z);

export const z: typeof Zod = new Proxy({} as typeof Zod, {
  get: (_target, property) => Reflect.get(load(), property),
  has: (_target, property) => Reflect.has(load(), property),
});

// zod, as the domain's shapes reach it. Node (the API, activities, tests) loads it once per process.
// The workflow bundle swaps this module for zod-on-demand.ts (worker/worker.ts), because there every
// new workflow evaluates its modules afresh, and zod's evaluation was most of a case's module cost.
export { z } from 'zod';

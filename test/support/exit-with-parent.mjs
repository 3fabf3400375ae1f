// Preloaded (node --import) into the worker and API child processes of fault tests: they exit when
// the test process that started them is gone (their stdin, a pipe from it, closes), even if it was
// killed without running any cleanup. Plain JavaScript and main thread only: Temporal's workflow
// threads inherit the preload, and their stdin is not the pipe.
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  process.stdin.on('end', () => process.exit(1));
  process.stdin.on('error', () => process.exit(1));
  process.stdin.resume();
  // Watching the pipe must not keep the process alive: a worker stopped with SIGTERM drains and
  // then exits on its own, as it does in production where nothing is piped in.
  process.stdin.unref?.();
}

// The failure converter of every Homeward client and worker (and of the workflow bundle): failure
// messages and stack traces are moved into a payload (encodeCommonAttributes), which the AES-GCM
// payload codec then encrypts like any other. Without it, Temporal stores an error's message and
// stack in clear, in history and in a pending activity's last failure.
//
// CommonJS on purpose: the SDK loads it with require() in the worker and the client (under tsx and
// under vitest alike) and bundles it into the workflow code; a .ts file would not load everywhere.
/* eslint-disable @typescript-eslint/no-require-imports */
/* global require, exports */
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

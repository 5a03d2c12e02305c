#!/usr/bin/env node
// The `intacct-assignar` command. The service is TypeScript run through tsx (esbuild), so there is no
// separate build step between `npm install` and `npm start`.
'use strict';
require('tsx/cjs/api').register();
require('../src/cli/main.ts').main(process.argv).catch((err) => {
  process.stderr.write(`${err && err.message ? err.message : String(err)}\n`);
  if (err && err.hint) process.stderr.write(`→ ${err.hint}\n`);
  process.exit(1);
});

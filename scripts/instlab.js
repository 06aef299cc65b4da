#!/usr/bin/env node
// The package's bin, in plain JavaScript so that any Node runs it far enough to say which
// Node the lab needs: the CLI is TypeScript, which Node runs directly only from 24 on,
// and an older Node stops at a .ts file with a stack trace before any of it runs.
const REQUIRED_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) < REQUIRED_MAJOR) {
  process.stderr.write(
    `instlab: needs Node ${REQUIRED_MAJOR} or later, this is Node ${process.versions.node}; ` +
      'run it as npx instlab or npm run instlab (they use the Node 24 the project installs)\n',
  );
  process.exit(2);
}
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The package's bin: runs the CLI under the Node that runs this file (24+, which strips
// TypeScript types natively).
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));

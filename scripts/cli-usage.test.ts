// Bad command lines, one case each: exit 2, one line naming the argument and the
// problem, then the usage hint of the command (usage errors) or nothing (bad input
// files); no stack trace unless --verbose.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('cli.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'instlab-usage-'));
const module = join(scratch, 'module.wat');
writeFileSync(module, '(module)');

function instlab(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const usage: [string, string[], RegExp, string][] = [
  ['an unknown command', ['frobnicate'], /^instlab: unknown command 'frobnicate'$/, '(instlab --help shows the usage)'],
  ['an unknown option', ['inspect', module, '--frob'], /^instlab: unknown option '--frob'$/, '(instlab inspect --help shows the usage)'],
  ['a missing argument', ['inspect'], /^instlab: missing required argument 'file'$/, '(instlab inspect --help shows the usage)'],
  ['an option without its value', ['bench', '--processes'], /^instlab: option '--processes <n>' argument missing$/, '(instlab bench --help shows the usage)'],
  ['an unknown workload', ['inspect', 'globals-i33/10'], /^instlab: globals-i33\/10: not a workload and not a \.wasm or \.wat file; close matches: .*globals-i32\/10/, '(instlab inspect --help shows the usage)'],
  ['a glob that matches no workload', ['bench', '--workload', 'nothing-*'], /^instlab: no workload matches nothing-\*/, '(instlab bench --help shows the usage)'],
  ['an unknown strategy', ['inspect', module, '--strategy', 'fastest'], /^instlab: unknown strategy "fastest" \(one of: raw, val, fast-path, cached, compiled\)$/, '(instlab inspect --help shows the usage)'],
  ['zero processes', ['bench', '--processes', '0'], /^instlab: --processes must be a whole number from 1 to 1000, not 0$/, '(instlab bench --help shows the usage)'],
  ['negative samples', ['bench', '--samples', '-5'], /^instlab: --samples must be a whole number from 1 to 100000, not -5$/, '(instlab bench --help shows the usage)'],
  ['a non-numeric seed', ['bench', '--seed', 'abc'], /^instlab: --seed must be a whole number from 0 to 4294967295, not abc$/, '(instlab bench --help shows the usage)'],
  ['an absurdly large count', ['calibrate', '--comparisons', '99999999999999999999'], /^instlab: --comparisons must be a whole number from 1 to 100000, not 99999999999999999999$/, '(instlab calibrate --help shows the usage)'],
  ['a hexadecimal count', ['bench', '--processes', '0x10'], /^instlab: --processes must be a whole number from 1 to 1000, not 0x10$/, '(instlab bench --help shows the usage)'],
  ['a threshold out of range', ['compare', 'a.json', 'b.json', '--threshold', '0'], /^instlab: --threshold is a percentage above 0 and below 100, not 0$/, '(instlab compare --help shows the usage)'],
  ['a bad shard', ['bench', '--shard', '3/2'], /^instlab: --shard must be I\/N with 1 ≤ I ≤ N ≤ 1000, not 3\/2$/, '(instlab bench --help shows the usage)'],
  ['an unknown format', ['baseline', 'show', 'x', '--format', 'xml'], /^instlab: --format must be text or md, not xml$/, '(instlab baseline show --help shows the usage)'],
];

const badFiles: [string, string[], RegExp][] = [
  ['a missing module file', ['inspect', join(scratch, 'none.wasm')], /^instlab: .*none\.wasm: cannot read: ENOENT$/],
  ['a folder where a module file is expected', ['inspect', scratch], /^instlab: .*: is a folder, not a file$/],
  ['a folder where a results file is expected', ['compare', scratch, scratch], /^instlab: .*: is a folder, not a file$/],
  ['a missing imports file', ['inspect', module, '--imports', join(scratch, 'none.json')], /^instlab: .*none\.json: cannot read: ENOENT$/],
];

describe('usage errors', () => {
  it.each(usage)('%s: exit 2, the problem, then the usage hint', (_, args, message, hint) => {
    const run = instlab(...args);
    expect(run.status).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toBe(hint);
  });
});

describe('bad input files', () => {
  it.each(badFiles)('%s: exit 2 and one line naming the file', (_, args, message) => {
    const run = instlab(...args);
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });
});

describe('--verbose', () => {
  it('adds the stack trace to the one-line error', () => {
    const quiet = instlab('bench', '--processes', '0');
    const verbose = instlab('bench', '--processes', '0', '--verbose');
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.status).toBe(2);
    expect(verbose.stderr.startsWith(quiet.stderr.split('\n')[0])).toBe(true);
    expect(verbose.stderr).toMatch(/UsageError: --processes must be .*\n\s+at wholeNumber /);
  });
});

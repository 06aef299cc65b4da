// The registry's contents, the generators' determinism, the module cache, and the
// command-line entry points (`instlab workloads`, workload names as module arguments).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compile } from '../runtime/module/compile.ts';
import { BadInput } from '../scripts/bad-input.ts';
import { listWorkloads, resolveModule, workloadsCommand, type WorkloadListing } from '../scripts/workloads.ts';
import { assemblerFor, wabt, type Assembler } from './assemble.ts';
import { ModuleCache } from './module-cache.ts';
import { packageVersion } from './package-root.ts';
import { NPM_MODULES } from './real-world.ts';
import { closeWorkloadNames, findWorkload, GC_SCALES, SCALES, WORKLOADS, type Workload } from './registry.ts';
import { workloadBytes } from './workload-bytes.ts';

const SCALING_FAMILIES = [
  'globals-i32',
  'globals-mixed',
  'globals-extconst',
  'globals-chain',
  'elem-funcref',
  'elem-expr',
  'elem-many-segments',
  'data-segments',
  'table-init-expr',
  'imports-globals',
];
const GC_FAMILIES = ['gc-struct-globals', 'gc-array-globals', 'gc-nested', 'gc-elem', 'gc-pressure'];

const generated = WORKLOADS.filter((w) => w.source.kind === 'generator');

function generate(workload: Workload): string {
  if (workload.source.kind !== 'generator') throw new TypeError(`${workload.name} is not generated`);
  return workload.source.generate();
}

let temporary: string;
beforeEach(async () => {
  temporary = await mkdtemp(join(tmpdir(), 'instlab-workloads-'));
});
afterEach(async () => {
  await rm(temporary, { recursive: true, force: true });
});

/** An assembler that counts its calls, to see what the cache saves. */
function counting(inner: Assembler, version = inner.version): Assembler & { calls: number } {
  const assembler = {
    name: inner.name,
    version,
    calls: 0,
    assemble(fileName: string, source: string) {
      assembler.calls++;
      return inner.assemble(fileName, source);
    },
  };
  return assembler;
}

describe('workload registry', () => {
  it('has at least 45 workloads, named family/param, each name once', () => {
    expect(WORKLOADS.length).toBeGreaterThanOrEqual(45);
    for (const w of WORKLOADS) expect(w.name).toBe(`${w.family}/${w.param}`);
    expect(new Set(WORKLOADS.map((w) => w.name)).size).toBe(WORKLOADS.length);
  });

  it('has every scaling family at N = 10, 100, 1000, 10000 and every GC family at N = 10, 100, 1000', () => {
    const sizes = (family: string) => WORKLOADS.filter((w) => w.family === family).map((w) => w.param);
    for (const family of SCALING_FAMILIES) expect(sizes(family), family).toEqual([...SCALES]);
    for (const family of GC_FAMILIES) expect(sizes(family), family).toEqual([...GC_SCALES]);
    expect(sizes('wasmtime')).toEqual(['empty', 'small_memory', 'data_segments']);
    expect(sizes('real-world')).toEqual(['sql.js', 'brotli-wasm', 'vscode-oniguruma', 'web-tree-sitter', 'esbuild-wasm']);
  });

  it('tags the GC families gc, which sends them to watr', () => {
    for (const w of WORKLOADS.filter((w) => GC_FAMILIES.includes(w.family))) {
      expect(w.tags, w.name).toContain('gc');
      expect(assemblerFor(w.tags).name, w.name).toBe('watr');
    }
    expect(assemblerFor(findWorkload('globals-i32/10')!.tags).name).toBe('wabt');
    expect(assemblerFor(findWorkload('table-init-expr/10')!.tags).name).toBe('watr');
  });

  it('gives gc-pressure a GC heap smaller than what its segments allocate', () => {
    for (const n of GC_SCALES) {
      const heap = findWorkload(`gc-pressure/${n}`)!.gcHeapBytes;
      // 2N arrays of 256 i32 each are allocated.
      expect(heap, `gc-pressure/${n}`).toBeLessThan(2 * n * 1024);
    }
  });

  it('pins every real-world package as an exact devDependency matching what is installed', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    for (const { package: name } of NPM_MODULES) {
      expect(manifest.devDependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(packageVersion(name), name).toBe(manifest.devDependencies[name]);
    }
  });

  it('suggests close names for a misspelt one', () => {
    expect(closeWorkloadNames('globals-i32/1000').slice(0, 1)).toEqual(['globals-i32/1000']);
    expect(closeWorkloadNames('globals-i23/100')).toContain('globals-i32/100');
    expect(closeWorkloadNames('sqljs')[0]).toBe('real-world/sql.js');
    expect(closeWorkloadNames('gc-struct/100')[0]).toBe('gc-struct-globals/100');
  });
});

describe('generators', () => {
  it('give the same text for the same workload, every time', () => {
    for (const w of generated) expect(generate(w) === generate(w), w.name).toBe(true);
  });

  it('give the same bytes for the same workload, assembled afresh', async () => {
    for (const w of generated.filter((w) => Number(w.param) <= 100)) {
      const assembler = assemblerFor(w.tags);
      const [a, b] = [await assembler.assemble(w.name, generate(w)), await assembler.assemble(w.name, generate(w))];
      expect(Buffer.from(b).equals(Buffer.from(a)), w.name).toBe(true);
    }
  });

  it('differ between sizes of a family', () => {
    expect(generate(findWorkload('globals-i32/10')!)).not.toBe(generate(findWorkload('globals-i32/100')!));
  });
});

describe('module cache', () => {
  const source = generate(findWorkload('globals-i32/100')!);

  it('assembles a module once, then reads it back from disk without assembling', async () => {
    const assembler = counting(wabt);
    const first = await new ModuleCache({ directory: temporary }).assembled(assembler, 'a.wat', source);
    expect(assembler.calls).toBe(1);
    // A new cache (a later run) finds the file; the same cache finds it in memory.
    const later = new ModuleCache({ directory: temporary });
    const second = await later.assembled(assembler, 'a.wat', source);
    const third = await later.assembled(assembler, 'a.wat', source);
    expect(assembler.calls).toBe(1);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(third).equals(Buffer.from(first))).toBe(true);
  });

  it('assembles again when the text or the assembler version changes', async () => {
    const assembler = counting(wabt);
    const cache = new ModuleCache({ directory: temporary });
    await cache.assembled(assembler, 'a.wat', source);
    await cache.assembled(assembler, 'a.wat', `${source} `);
    expect(assembler.calls).toBe(2);
    const upgraded = counting(wabt, `${wabt.version}-next`);
    await new ModuleCache({ directory: temporary }).assembled(upgraded, 'a.wat', source);
    expect(upgraded.calls).toBe(1);
  });

  it('gives every workload through the shared cache the bytes its assembler makes', async () => {
    const w = findWorkload('gc-elem/10')!;
    const direct = await assemblerFor(w.tags).assemble(w.name, generate(w));
    expect(Buffer.from(await workloadBytes(w)).equals(Buffer.from(direct))).toBe(true);
  });
});

describe('instlab workloads', () => {
  it('lists every workload with its size, tags and family', async () => {
    const listings = await listWorkloads();
    expect(listings.map((l) => l.name)).toEqual(WORKLOADS.map((w) => w.name));
    const esbuild = listings.find((l) => l.name === 'real-world/esbuild-wasm')!;
    expect(esbuild.bytes).toBeGreaterThan(10_000_000);
    expect(esbuild.source).toBe(`esbuild-wasm@${packageVersion('esbuild-wasm')}/esbuild.wasm`);
    expect(listings.find((l) => l.name === 'wasmtime/empty')!.bytes).toBe(8);
    expect(listings.find((l) => l.name === 'gc-pressure/10')!.gcHeapBytes).toBeGreaterThan(0);
  });

  it('prints JSON with --json and a table otherwise', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    try {
      expect(await workloadsCommand({ json: true })).toBe(0);
      expect(await workloadsCommand({})).toBe(0);
    } finally {
      write.mockRestore();
    }
    const json = JSON.parse(printed[0]) as WorkloadListing[];
    expect(json).toHaveLength(WORKLOADS.length);
    expect(json[0]).toMatchObject({ name: 'wasmtime/empty', family: 'wasmtime', bytes: 8, tags: ['wasmtime'] });
    const lines = printed[1].trimEnd().split('\n');
    expect(lines[0]).toMatch(/^name +family +bytes +tags +source$/);
    expect(lines).toHaveLength(WORKLOADS.length + 2);
    expect(lines.at(-1)).toBe(`${WORKLOADS.length} workloads`);
    expect(printed[1]).toMatch(/real-world\/esbuild-wasm +real-world +\d{2},\d{3},\d{3} /);
  });
});

describe('resolveModule', () => {
  it('takes a workload name', async () => {
    const resolved = await resolveModule('gc-pressure/100');
    expect(resolved.name).toBe('gc-pressure/100');
    expect(resolved.gcHeapBytes).toBe(findWorkload('gc-pressure/100')!.gcHeapBytes);
    expect(compile(resolved.bytes).module.globals).toHaveLength(100);
  });

  it('takes a .wat or .wasm path', async () => {
    const wat = join(temporary, 'one.wat');
    await writeFile(wat, '(module (global (export "g") i32 (i32.const 1)))');
    const fromWat = await resolveModule(wat);
    expect(fromWat.workload).toBeUndefined();
    const wasm = join(temporary, 'one.wasm');
    await writeFile(wasm, fromWat.bytes);
    expect(Buffer.from((await resolveModule(wasm)).bytes).equals(Buffer.from(fromWat.bytes))).toBe(true);
  });

  it('refuses an unknown name as bad input naming close matches', async () => {
    const refusal = resolveModule('globals-i32/1001');
    await expect(refusal).rejects.toBeInstanceOf(BadInput);
    await expect(refusal).rejects.toThrow(/globals-i32\/1001: not a workload.*close matches: globals-i32\/1000/);
  });
});

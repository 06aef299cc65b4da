// `cached`: `fast-path`, plus a per-module image of everything that does not depend on
// the instance, copied into each new instance in bulk: globals whose initializers fold
// to constants (constant-folding.ts), the contents of defined funcref tables filled by active
// segments with constant offsets (as lazy references, resolved on first read), and the
// bytes active data segments with constant offsets put into defined memories. What
// depends on imports or allocates GC objects (objects have identity) is still computed
// per instance, in the spec's order. Wasmtime's lazy funcref tables and copy-on-write
// memory images are this idea at engine scale.
import type { CompiledModule } from '../runtime/module/compile.ts';
import type { Value } from '../runtime/instance/const-value.ts';
import { writeSlot } from '../runtime/instance/const-value.ts';
import type { Initializer, Strategy } from '../runtime/instance/initializer.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import { heapFamily } from '../runtime/module/ref-family.ts';
import { addressOf, EMPTY_BYTES, EMPTY_REFS } from '../runtime/instance/segment-ops.ts';
import { PAGE_BYTES } from '../runtime/instance/store.ts';
import { GlobalCells } from '../runtime/instance/global-cells.ts';
import { MAX_TABLE_ELEMENTS } from '../runtime/instance/allocate.ts';
import { constExprAllocates } from '../runtime/gc/alloc.ts';
import { toCanonicalRefType } from '../runtime/module/type-registry.ts';
import { foldConstExpr } from './constant-folding.ts';
import { fastPathEvaluator, type PreparedExpr } from './fast-path.ts';
import { InterpretedInitializer } from './interpreted-initializer.ts';

interface TableImage {
  /** Index in the table index space. */
  readonly table: number;
  readonly elements: Uint32Array;
}

interface MemoryImage {
  readonly memory: number;
  /** Spans of the memory the covered segments write, each copied in one bulk write. */
  readonly runs: readonly ImageRun[];
}

interface ImageRun {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

interface DataWrite {
  readonly index: number;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * Segments closer than this share one run: copying a short gap of zeros costs less than
 * another copy, while a far-away segment must not drag megabytes of zeros along.
 */
const RUN_GAP_BYTES = 4096;

/** The memory's written spans, with the segments applied in order (later ones win). */
function imageRuns(writes: readonly DataWrite[]): ImageRun[] {
  const byOffset = [...writes].sort((a, b) => a.offset - b.offset);
  const spans: { start: number; end: number; writes: DataWrite[] }[] = [];
  for (const write of byOffset) {
    const last = spans.at(-1);
    const end = write.offset + write.bytes.length;
    if (last !== undefined && write.offset <= last.end + RUN_GAP_BYTES) {
      last.end = Math.max(last.end, end);
      last.writes.push(write);
    } else {
      spans.push({ start: write.offset, end, writes: [write] });
    }
  }
  return spans.map(({ start, end, writes: inSpan }) => {
    const bytes = new Uint8Array(end - start);
    for (const { offset, bytes: data } of [...inSpan].sort((a, b) => a.index - b.index)) bytes.set(data, offset - start);
    return { offset: start, bytes };
  });
}

/** What cached precomputes per module. Shared with `compiled`, which generates code from it. */
export interface ModuleImage {
  readonly globals: GlobalCells;
  /** Defined globals whose initializers fold (by index among defined globals). */
  readonly foldedGlobals: readonly boolean[];
  readonly tables: readonly TableImage[];
  readonly memories: readonly MemoryImage[];
  /** Element segments the table images apply (active) or that need nothing (declarative). */
  readonly coveredElements: readonly boolean[];
  /** Data segments the memory images apply. */
  readonly coveredDatas: readonly boolean[];
}

export function buildModuleImage(compiled: CompiledModule): ModuleImage {
  const { module, info } = compiled;
  const importedGlobals = info.importedGlobals;
  const folded: (Value | undefined)[] = [];
  const globals = new GlobalCells(module.globals.length);
  module.globals.forEach((global, i) => {
    const value = foldConstExpr(global.init, {
      global: (index) => (index < importedGlobals ? undefined : folded[index - importedGlobals]),
      lazyFuncRefs: false,
    });
    folded.push(value);
    if (value !== undefined) writeSlot(globals, i, global.type.type, value);
  });
  const foldOffset = (expr: Parameters<typeof foldConstExpr>[0]): number | undefined => {
    const value = foldConstExpr(expr, { global: (index) => (index < importedGlobals ? undefined : folded[index - importedGlobals]), lazyFuncRefs: false });
    const address = value === undefined ? undefined : addressOf(value);
    // An offset past 2^53 is out of bounds: no image covers it, each instance traps.
    return typeof address === 'bigint' ? undefined : address;
  };

  // A declarative segment is dropped at once, so it needs no per-instance work, unless
  // its items allocate: the spec evaluates them, and that can run out of GC memory.
  const coveredElements = module.elements.map((segment) => segment.mode.kind === 'declarative' && !allocates(segment.items));
  const tables: TableImage[] = [];
  module.tables.forEach((definition, k) => {
    const table = info.importedTables + k;
    const size = definition.type.limits.min;
    const element = toCanonicalRefType(definition.type.element, info.canonicalTypes);
    // A table over the allocation limit is refused per instance, as every strategy does.
    if (heapFamily(element.heap) !== 'func' || size > MAX_TABLE_ELEMENTS) return;
    const init = definition.init === undefined ? 0 : foldConstExpr(definition.init, { global: () => undefined, lazyFuncRefs: true });
    if (init === undefined) return;
    const writes: { index: number; offset: number; refs: Uint32Array }[] = [];
    for (let i = 0; i < module.elements.length; i++) {
      const segment = module.elements[i];
      if (segment.mode.kind !== 'active' || segment.mode.table !== table) continue;
      const offset = foldOffset(segment.mode.offset);
      const refs = offset === undefined ? undefined : foldItems(segment.items);
      if (offset === undefined || refs === undefined || offset + refs.length > size) return;
      writes.push({ index: i, offset, refs });
    }
    if (writes.length === 0 && init === 0) return;
    const elements = new Uint32Array(size).fill(init as number);
    for (const { index, offset, refs } of writes) {
      elements.set(refs, offset);
      coveredElements[index] = true;
    }
    tables.push({ table, elements });
  });

  const coveredDatas = module.datas.map(() => false);
  const memories: MemoryImage[] = [];
  module.memories.forEach((definition, k) => {
    const memory = info.importedMemories + k;
    const size = definition.type.limits.min * PAGE_BYTES;
    const writes: DataWrite[] = [];
    for (let i = 0; i < module.datas.length; i++) {
      const mode = module.datas[i].mode;
      if (mode.kind !== 'active' || mode.memory !== memory) continue;
      const offset = foldOffset(mode.offset);
      const bytes = module.datas[i].bytes;
      if (offset === undefined || offset + bytes.length > size) return;
      writes.push({ index: i, offset, bytes });
    }
    if (writes.length === 0) return;
    for (const { index } of writes) coveredDatas[index] = true;
    memories.push({ memory, runs: imageRuns(writes) });
  });

  return { globals, foldedGlobals: folded.map((v) => v !== undefined), tables, memories, coveredElements, coveredDatas };
}

function allocates(items: CompiledModule['module']['elements'][number]['items']): boolean {
  return items.kind === 'exprs' && items.exprs.some(constExprAllocates);
}

/** Items that are all function references or nulls, as lazy words; else undefined. */
function foldItems(items: CompiledModule['module']['elements'][number]['items']): Uint32Array | undefined {
  if (items.kind === 'funcs') return items.indices.map((index) => index * 2 + 1);
  const refs = new Uint32Array(items.exprs.length);
  for (let i = 0; i < refs.length; i++) {
    const value = foldConstExpr(items.exprs[i], { global: () => undefined, lazyFuncRefs: true });
    if (value === undefined) return undefined;
    refs[i] = value as number;
  }
  return refs;
}

class CachedInitializer implements Initializer {
  private readonly image: ModuleImage;
  private readonly rest: InterpretedInitializer<PreparedExpr>;
  // What is left to compute per instance, listed once per module.
  private readonly unfoldedGlobals: readonly number[];
  private readonly tablesToFill: readonly number[];
  private readonly uncoveredElements: readonly number[];
  private readonly uncoveredDatas: readonly number[];
  private readonly elemTemplate: readonly Uint32Array[];
  private readonly dataTemplate: readonly Uint8Array[];

  constructor(compiled: CompiledModule) {
    this.image = buildModuleImage(compiled);
    this.rest = new InterpretedInitializer(compiled, fastPathEvaluator);
    this.unfoldedGlobals = this.image.foldedGlobals.flatMap((folded, i) => (folded ? [] : [i]));
    const imagedTables = new Set(this.image.tables.map((t) => t.table));
    const { importedTables } = compiled.info;
    this.tablesToFill = compiled.module.tables.flatMap((_, i) => (imagedTables.has(importedTables + i) ? [] : [i]));
    this.uncoveredElements = this.image.coveredElements.flatMap((covered, i) => (covered ? [] : [i]));
    // Passive data segments need nothing beyond the template.
    this.uncoveredDatas = compiled.module.datas.flatMap((d, i) => (this.image.coveredDatas[i] || d.mode.kind !== 'active' ? [] : [i]));
    this.elemTemplate = this.image.coveredElements.map(() => EMPTY_REFS);
    this.dataTemplate = compiled.module.datas.map((d) => (d.mode.kind === 'passive' ? d.bytes : EMPTY_BYTES));
  }

  initializeGlobals(instance: Instance): void {
    const cells = new GlobalCells(0, this.image.globals);
    instance.globalCells = cells;
    const counters = instance.counters;
    counters.imageCopies++;
    counters.bytesCopied += cells.bytes.length;
    counters.slotsWritten += this.image.foldedGlobals.length - this.unfoldedGlobals.length;
    for (const i of this.unfoldedGlobals) this.rest.initializeGlobal(instance, cells, i);
  }

  /** Tables with an image get their init value from it (initializeElementSegments). */
  initializeTables(instance: Instance): void {
    for (const i of this.tablesToFill) this.rest.initializeTable(instance, i);
  }

  initializeElementSegments(instance: Instance): void {
    const counters = instance.counters;
    for (const { table, elements } of this.image.tables) {
      const target = instance.tables[table];
      target.elements.set(elements);
      target.lazyOwner = instance;
      counters.imageCopies++;
      counters.slotsWritten += elements.length;
    }
    instance.elems = this.elemTemplate.slice();
    for (const i of this.uncoveredElements) this.rest.initializeElementSegment(instance, i);
  }

  initializeDataSegments(instance: Instance): void {
    const counters = instance.counters;
    for (const { memory, runs } of this.image.memories) {
      const target = instance.memories[memory].bytes;
      for (const { offset, bytes } of runs) {
        target.set(bytes, offset);
        counters.imageCopies++;
        counters.bytesCopied += bytes.length;
      }
    }
    instance.datas = this.dataTemplate.slice();
    for (const i of this.uncoveredDatas) this.rest.initializeDataSegment(instance, i);
  }
}

export const cached: Strategy = {
  name: 'cached',
  description: 'fast-path, plus a per-module image of instance-independent globals, funcref tables and memory bytes',
  prepare: (compiled) => new CachedInitializer(compiled),
};

// The module image: everything about an instance's initial state that does not depend on
// the instance, computed once per module. Globals whose initializers fold to constants
// (constant-folding.ts), the contents of defined funcref tables filled by active segments
// with constant offsets (as lazy references, resolved on first read), and the bytes that
// active data segments with constant offsets put into defined memories. What depends on
// imports or allocates GC objects (objects have identity) stays per instance. `cached`
// copies the image into each instance; `compiled` generates code around the same image.
import type { CompiledModule } from '../runtime/module/compile.ts';
import { writeSlot, type Value } from '../runtime/instance/const-value.ts';
import { heapFamily } from '../runtime/module/ref-family.ts';
import type { ConstExpr, ElementItems } from '../runtime/module/module.ts';
import { addressOf, EMPTY_BYTES, EMPTY_REFS } from '../runtime/instance/segment-ops.ts';
import { PAGE_BYTES } from '../runtime/instance/store.ts';
import { GlobalCells } from '../runtime/instance/global-cells.ts';
import { MAX_TABLE_ELEMENTS } from '../runtime/instance/allocate.ts';
import { constExprAllocates } from '../runtime/gc/alloc.ts';
import { toCanonicalRefType } from '../runtime/module/type-registry.ts';
import { lazyFuncRef } from '../runtime/gc/raw-ref.ts';
import { definedAt, definedIndex, wholeIndex } from '../runtime/module/index-spaces.ts';
import { foldConstExpr, type FoldContext } from './constant-folding.ts';

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

export interface ModuleImage {
  /** The folded globals' slots; the others are zero until an instance computes them. */
  readonly globals: GlobalCells;
  /** The folded value of each defined global, or undefined where it depends on the instance. */
  readonly globalValues: readonly (Value | undefined)[];
  readonly tables: readonly TableImage[];
  /** The tables (table index space) that `tables` holds an image of. */
  readonly imagedTables: ReadonlySet<number>;
  readonly memories: readonly MemoryImage[];
  /** Element segments the table images apply (active) or that need nothing (declarative). */
  readonly coveredElements: readonly boolean[];
  /** Data segments the memory images apply. */
  readonly coveredDatas: readonly boolean[];
  /** Each element instance as instantiation starts it: empty (dropped, or not yet made). */
  readonly elemTemplate: readonly Uint32Array[];
  /** Each data instance as instantiation starts it: a passive segment's bytes, else empty. */
  readonly dataTemplate: readonly Uint8Array[];
}

/**
 * Segments closer than this share one run: copying a short gap of zeros costs less than
 * another copy, while a far-away segment must not drag megabytes of zeros along.
 */
const RUN_GAP_BYTES = 4096;

export function buildModuleImage(compiled: CompiledModule): ModuleImage {
  const { module, info } = compiled;
  const globalValues: (Value | undefined)[] = [];
  // Offsets and global initializers read imported globals (per instance) and defined
  // ones, each folded before any initializer that may read it.
  const context: FoldContext = {
    global: (index) => {
      const defined = definedIndex<'global'>(info.importedGlobals, index);
      return defined === undefined ? undefined : globalValues[defined];
    },
    lazyFuncRefs: false,
  };
  const globals = new GlobalCells(module.globals.length);
  module.globals.forEach((global, i) => {
    const value = foldConstExpr(global.init, context);
    globalValues.push(value);
    if (value !== undefined) writeSlot(globals, i, global.type.type, value);
  });
  const foldOffset = (expr: ConstExpr): number | undefined => {
    const value = foldConstExpr(expr, context);
    return value === undefined ? undefined : addressOf(value);
  };
  // A declarative segment is dropped at once, so it needs no per-instance work, unless
  // its items allocate: the spec evaluates them, and that can run out of GC memory.
  const coveredElements = module.elements.map((segment) => segment.mode.kind === 'declarative' && !allocates(segment.items));
  const tables = tableImages(compiled, foldOffset, coveredElements);
  const coveredDatas = module.datas.map(() => false);
  const memories = memoryImages(compiled, foldOffset, coveredDatas);
  return {
    globals,
    globalValues,
    tables,
    imagedTables: new Set(tables.map((t) => t.table)),
    memories,
    coveredElements,
    coveredDatas,
    elemTemplate: coveredElements.map(() => EMPTY_REFS),
    dataTemplate: module.datas.map((d) => (d.mode.kind === 'passive' ? d.bytes : EMPTY_BYTES)),
  };
}

/** Images of the defined funcref tables whose every active segment folds and fits. */
function tableImages(
  { module, info }: CompiledModule,
  foldOffset: (expr: ConstExpr) => number | undefined,
  coveredElements: boolean[],
): TableImage[] {
  const tables: TableImage[] = [];
  module.tables.forEach((definition, k) => {
    const table = wholeIndex(info.importedTables, definedAt<'table'>(k));
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
  return tables;
}

/** Images of the defined memories whose every active segment folds and fits. */
function memoryImages(
  { module, info }: CompiledModule,
  foldOffset: (expr: ConstExpr) => number | undefined,
  coveredDatas: boolean[],
): MemoryImage[] {
  const memories: MemoryImage[] = [];
  module.memories.forEach((definition, k) => {
    const memory = wholeIndex(info.importedMemories, definedAt<'memory'>(k));
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
  return memories;
}

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

function allocates(items: ElementItems): boolean {
  return items.kind === 'exprs' && items.exprs.some(constExprAllocates);
}

/** Items that are all function references or nulls, as lazy words; else undefined. */
function foldItems(items: ElementItems): Uint32Array | undefined {
  if (items.kind === 'funcs') return items.indices.map(lazyFuncRef);
  const refs = new Uint32Array(items.exprs.length);
  for (let i = 0; i < refs.length; i++) {
    const value = foldConstExpr(items.exprs[i], { global: () => undefined, lazyFuncRefs: true });
    if (value === undefined) return undefined;
    refs[i] = value as number;
  }
  return refs;
}

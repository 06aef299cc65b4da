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
import type { ConstExpr, ElementItems, ElementSegment } from '../runtime/module/module.ts';
import type { DataSegments } from '../runtime/module/data-segments.ts';
import { addressOf, EMPTY_BYTES, EMPTY_REFS } from '../runtime/instance/segment-ops.ts';
import { PAGE_BYTES } from '../runtime/instance/store.ts';
import { GlobalCells } from '../runtime/instance/global-cells.ts';
import { MAX_TABLE_ELEMENTS } from '../runtime/instance/allocate.ts';
import { constExprAllocates } from '../runtime/gc/alloc.ts';
import { toCanonicalRefType } from '../runtime/module/type-registry.ts';
import { lazyFuncRef, refWords, type RefWord, type RefWords } from '../runtime/gc/raw-ref.ts';
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
  /** The bytes the runs span, for a memory pool to zero when the instance is released. */
  readonly written: { readonly start: number; readonly end: number };
}

interface ImageRun {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** Element segment `index` writes `content` at `offset`. */
interface ElementWrite {
  readonly index: number;
  readonly offset: number;
  readonly content: RefWords;
}

type FoldOffset = (expr: ConstExpr) => number | undefined;

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
  /** 1 for each data segment the memory images apply, else 0. */
  readonly coveredDatas: Uint8Array;
  /** Each element instance as instantiation starts it: empty (dropped, or not yet made). */
  readonly elemTemplate: readonly RefWords[];
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
  const foldOffset: FoldOffset = (expr) => {
    const value = foldConstExpr(expr, context);
    const address = value === undefined ? undefined : addressOf(value);
    // An offset past 2^53 is out of bounds: no image covers it, each instance traps.
    return typeof address === 'bigint' ? undefined : address;
  };
  // A declarative segment is dropped at once, so it needs no per-instance work, unless
  // its items allocate: the spec evaluates them, and that can run out of GC memory.
  const coveredElements = module.elements.map((segment) => segment.mode.kind === 'declarative' && !allocates(segment.items));
  const tables = tableImages(compiled, foldOffset, coveredElements);
  const coveredDatas = new Uint8Array(module.datas.length);
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
    dataTemplate: dataTemplate(module.datas),
  };
}

/** Images of the defined funcref tables whose every active segment folds and fits. */
function tableImages({ module, info }: CompiledModule, foldOffset: FoldOffset, coveredElements: boolean[]): TableImage[] {
  const tables: TableImage[] = [];
  module.tables.forEach((definition, k) => {
    const table = wholeIndex(info.importedTables, definedAt<'table'>(k));
    const size = definition.type.limits.min;
    const element = toCanonicalRefType(definition.type.element, info.canonicalTypes);
    // A table over the allocation limit is refused per instance, as every strategy does.
    if (heapFamily(element.heap) !== 'func' || size > MAX_TABLE_ELEMENTS) return;
    const init = definition.init === undefined ? 0 : foldConstExpr(definition.init, { global: () => undefined, lazyFuncRefs: true });
    if (init === undefined) return;
    const writes = foldedElementWrites(module.elements, table, size, foldOffset);
    if (writes === undefined || (writes.length === 0 && init === 0)) return;
    const elements = new Uint32Array(size).fill(init as number);
    for (const { index, offset, content } of writes) {
      elements.set(content, offset);
      coveredElements[index] = true;
    }
    tables.push({ table, elements });
  });
  return tables;
}

/**
 * What the active element segments write into table `target` of `size` entries, in
 * segment order, if every one of them has a folded offset and items that fold and fit;
 * else undefined: the table then gets no image, and its segments run per instance.
 */
function foldedElementWrites(
  elements: readonly ElementSegment[],
  target: number,
  size: number,
  foldOffset: FoldOffset,
): ElementWrite[] | undefined {
  const writes: ElementWrite[] = [];
  for (let i = 0; i < elements.length; i++) {
    const { mode, items } = elements[i];
    if (mode.kind !== 'active' || mode.table !== target) continue;
    const offset = foldOffset(mode.offset);
    const content = offset === undefined ? undefined : foldItems(items);
    if (offset === undefined || content === undefined || offset + content.length > size) return undefined;
    writes.push({ index: i, offset, content });
  }
  return writes;
}

/** Images of the defined memories whose every active segment folds and fits. */
function memoryImages({ module, info }: CompiledModule, foldOffset: FoldOffset, coveredDatas: Uint8Array): MemoryImage[] {
  const datas = module.datas;
  const memories: MemoryImage[] = [];
  module.memories.forEach((definition, k) => {
    const memory = wholeIndex(info.importedMemories, definedAt<'memory'>(k));
    const size = definition.type.limits.min * PAGE_BYTES;
    const writes = foldedDataWrites(datas, memory, size, foldOffset);
    if (writes === undefined || writes.indices.length === 0) return;
    for (const index of writes.indices) coveredDatas[index] = 1;
    const runs = imageRuns(datas, writes);
    const last = runs[runs.length - 1];
    memories.push({ memory, runs, written: { start: runs[0].offset, end: last.offset + last.bytes.length } });
  });
  return memories;
}

/** The data segments that write a memory, in segment order, and the offset each writes at. */
interface DataWrites {
  readonly indices: readonly number[];
  readonly offsets: readonly number[];
}

/**
 * What the active data segments write into memory `target` of `size` bytes, if every one
 * of them has a folded offset and fits; else undefined, as for tables. An inline constant
 * offset is read from the columns, with no expression made for it.
 */
function foldedDataWrites(datas: DataSegments, target: number, size: number, foldOffset: FoldOffset): DataWrites | undefined {
  const indices: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < datas.length; i++) {
    if (!datas.isActive(i) || datas.memory(i) !== target) continue;
    const constant = datas.constantAddress(i);
    // An offset past 2^53 is out of bounds: no image covers it, each instance traps.
    const offset = constant === undefined ? foldOffset(datas.offsetExpr(i)) : typeof constant === 'bigint' ? undefined : constant;
    if (offset === undefined || offset + datas.byteLength(i) > size) return undefined;
    indices.push(i);
    offsets.push(offset);
  }
  return { indices, offsets };
}

/** The memory's written spans, with the segments applied in order (later ones win). */
function imageRuns(datas: DataSegments, { indices, offsets }: DataWrites): ImageRun[] {
  // Positions in `indices` (segment order), by offset; equal offsets keep segment order.
  const byOffset = Array.from(indices.keys()).sort((a, b) => offsets[a] - offsets[b] || a - b);
  const runs: ImageRun[] = [];
  for (let first = 0; first < byOffset.length; ) {
    const start = offsets[byOffset[first]];
    let end = start;
    let next = first;
    for (; next < byOffset.length && offsets[byOffset[next]] <= end + RUN_GAP_BYTES; next++) {
      const w = byOffset[next];
      end = Math.max(end, offsets[w] + datas.byteLength(indices[w]));
    }
    const bytes = new Uint8Array(end - start);
    for (const w of byOffset.slice(first, next).sort((a, b) => a - b)) datas.copyTo(indices[w], bytes, offsets[w] - start);
    runs.push({ offset: start, bytes });
    first = next;
  }
  return runs;
}

/** Each data instance as instantiation starts it: a passive segment's bytes, else empty. */
function dataTemplate(datas: DataSegments): Uint8Array[] {
  const template: Uint8Array[] = [];
  for (let i = 0; i < datas.length; i++) template.push(datas.isActive(i) ? EMPTY_BYTES : datas.bytesOf(i));
  return template;
}

function allocates(items: ElementItems): boolean {
  return items.kind === 'exprs' && items.exprs.some(constExprAllocates);
}

/** Items that are all function references or nulls, as lazy words; else undefined. */
function foldItems(items: ElementItems): RefWords | undefined {
  if (items.kind === 'funcs') return items.indices.map(lazyFuncRef) as RefWords;
  const refs = refWords(items.exprs.length);
  for (let i = 0; i < refs.length; i++) {
    const value = foldConstExpr(items.exprs[i], { global: () => undefined, lazyFuncRefs: true });
    if (value === undefined) return undefined;
    refs[i] = value as RefWord;
  }
  return refs;
}

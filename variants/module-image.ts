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
import type { ConstExpr, DataSegment, ElementItems, ElementSegment } from '../runtime/module/module.ts';
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
}

interface ImageRun {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** Segment `index` writes `content` at `offset`. */
interface SegmentWrite<T> {
  readonly index: number;
  readonly offset: number;
  readonly content: T;
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
  /** Data segments the memory images apply. */
  readonly coveredDatas: readonly boolean[];
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
    const activeIn = ({ mode }: ElementSegment) => (mode.kind === 'active' ? { target: mode.table, offset: mode.offset } : undefined);
    const writes = foldedWrites(module.elements, activeIn, (segment) => foldItems(segment.items), table, size, foldOffset);
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

/** Images of the defined memories whose every active segment folds and fits. */
function memoryImages({ module, info }: CompiledModule, foldOffset: FoldOffset, coveredDatas: boolean[]): MemoryImage[] {
  const memories: MemoryImage[] = [];
  module.memories.forEach((definition, k) => {
    const memory = wholeIndex(info.importedMemories, definedAt<'memory'>(k));
    const size = definition.type.limits.min * PAGE_BYTES;
    const activeIn = ({ mode }: DataSegment) => (mode.kind === 'active' ? { target: mode.memory, offset: mode.offset } : undefined);
    const writes = foldedWrites(module.datas, activeIn, (segment) => segment.bytes, memory, size, foldOffset);
    if (writes === undefined || writes.length === 0) return;
    for (const { index } of writes) coveredDatas[index] = true;
    memories.push({ memory, runs: imageRuns(writes) });
  });
  return memories;
}

/**
 * What the active segments write into `target` (a table or memory of `size` entries),
 * in segment order, if every one of them has a folded offset and content that fits;
 * else undefined: the target then gets no image, and its segments run per instance.
 */
function foldedWrites<S, T extends { readonly length: number }>(
  segments: readonly S[],
  activeIn: (segment: S) => { readonly target: number; readonly offset: ConstExpr } | undefined,
  contentOf: (segment: S) => T | undefined,
  target: number,
  size: number,
  foldOffset: FoldOffset,
): SegmentWrite<T>[] | undefined {
  const writes: SegmentWrite<T>[] = [];
  for (let i = 0; i < segments.length; i++) {
    const active = activeIn(segments[i]);
    if (active === undefined || active.target !== target) continue;
    const offset = foldOffset(active.offset);
    const content = offset === undefined ? undefined : contentOf(segments[i]);
    if (offset === undefined || content === undefined || offset + content.length > size) return undefined;
    writes.push({ index: i, offset, content });
  }
  return writes;
}

/** The memory's written spans, with the segments applied in order (later ones win). */
function imageRuns(writes: readonly SegmentWrite<Uint8Array>[]): ImageRun[] {
  const byOffset = [...writes].sort((a, b) => a.offset - b.offset);
  const spans: { start: number; end: number; writes: SegmentWrite<Uint8Array>[] }[] = [];
  for (const write of byOffset) {
    const last = spans.at(-1);
    const end = write.offset + write.content.length;
    if (last !== undefined && write.offset <= last.end + RUN_GAP_BYTES) {
      last.end = Math.max(last.end, end);
      last.writes.push(write);
    } else {
      spans.push({ start: write.offset, end, writes: [write] });
    }
  }
  return spans.map(({ start, end, writes: inSpan }) => {
    const bytes = new Uint8Array(end - start);
    for (const { offset, content } of [...inSpan].sort((a, b) => a.index - b.index)) bytes.set(content, offset - start);
    return { offset: start, bytes };
  });
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

// Initialization by evaluating each constant expression at instantiation, in the spec's
// order: what `raw`, `val` and `fast-path` share. Each differs only in its evaluator.
import type { CompiledModule } from '../runtime/module/compile.ts';
import { writeSlot, type Value } from '../runtime/instance/const-value.ts';
import type { Initializer } from '../runtime/instance/initializer.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import type { ConstExpr, ElementSegment } from '../runtime/module/module.ts';
import { constExprAllocates } from '../runtime/gc/alloc.ts';
import { funcRef, NULL_REF, refWords, type RefWord } from '../runtime/gc/raw-ref.ts';
import { isGcManaged, isGcManagedIn } from '../runtime/module/ref-family.ts';
import {
  addressOf,
  applyDataSegment,
  applyElementSegment,
  dropElementSegment,
  EMPTY_BYTES,
} from '../runtime/instance/segment-ops.ts';
import { GlobalCells } from '../runtime/instance/global-cells.ts';
import { definedAt, wholeIndex, type DefinedIndex } from '../runtime/module/index-spaces.ts';
import { resultKind, type ConstEvaluator, type ResultKind } from './const-evaluator.ts';

interface PreparedSegment<P> {
  readonly offset?: P;
  readonly items?: readonly Prepared<P>[];
}

/**
 * An expression as the evaluator prepared it, and whether its evaluation needs a root
 * scope: only one that allocates does (a rooting evaluator roots what it allocates).
 */
interface Prepared<P> {
  readonly expr: P;
  readonly scoped: boolean;
}

export class InterpretedInitializer<P> implements Initializer {
  private readonly compiled: CompiledModule;
  private readonly evaluator: ConstEvaluator<P>;
  private readonly globalInits: readonly Prepared<P>[];
  private readonly tableInits: readonly (Prepared<P> | undefined)[];
  private readonly elements: readonly PreparedSegment<P>[];
  /**
   * The prepared offset of each active data segment that the evaluator evaluates; the
   * others (passive, or with an inline constant the evaluator need not see) have none.
   */
  private readonly dataOffsets: readonly (P | undefined)[];
  /**
   * A view of each data segment's bytes, made once per module: copying from a view is
   * faster than making one per instance, or copying byte by byte from the module bytes
   * once V8 has seen memories of both buffer kinds (resizable or not).
   */
  private readonly dataBytes: readonly Uint8Array[];
  private readonly globalKinds: readonly ResultKind[];

  constructor(compiled: CompiledModule, evaluator: ConstEvaluator<P>) {
    const { module } = compiled;
    const prepare = (expr: ConstExpr): P => evaluator.prepare(expr);
    const prepareScoped = (expr: ConstExpr): Prepared<P> => ({
      expr: evaluator.prepare(expr),
      scoped: evaluator.rooted && constExprAllocates(expr),
    });
    this.compiled = compiled;
    this.evaluator = evaluator;
    this.globalInits = module.globals.map((g) => prepareScoped(g.init));
    this.globalKinds = module.globals.map((g) => resultKind(g.type.type));
    this.tableInits = module.tables.map((t) => (t.init === undefined ? undefined : prepareScoped(t.init)));
    this.elements = module.elements.map((segment) => ({
      offset: segment.mode.kind === 'active' ? prepare(segment.mode.offset) : undefined,
      items: segment.items.kind === 'exprs' ? segment.items.exprs.map(prepareScoped) : undefined,
    }));
    const datas = module.datas;
    const dataOffsets: (P | undefined)[] = [];
    const dataBytes: Uint8Array[] = [];
    for (let i = 0; i < datas.length; i++) {
      const inline = evaluator.preparesConstants && datas.constantType(i) !== undefined;
      dataOffsets.push(datas.isActive(i) && !inline ? prepare(datas.offsetExpr(i)) : undefined);
      dataBytes.push(datas.bytesOf(i));
    }
    this.dataOffsets = dataOffsets;
    this.dataBytes = dataBytes;
  }

  initializeGlobals(instance: Instance): void {
    const count = this.globalInits.length;
    const cells = new GlobalCells(count);
    instance.globalCells = cells;
    for (let i = 0; i < count; i++) this.initializeGlobal(instance, cells, definedAt(i));
  }

  /** Evaluates defined global `i` into its slot of `cells`. */
  initializeGlobal(instance: Instance, cells: GlobalCells, i: DefinedIndex<'global'>): void {
    const heap = instance.store.heap;
    const type = instance.globalTypes[wholeIndex(instance.globalImports.length, i)].type;
    const init = this.globalInits[i];
    const scope = init.scoped ? heap.enterScope() : undefined;
    const value = this.evaluate(instance, init.expr, this.globalKinds[i]);
    // The slot's count comes before the scope lets go of the evaluator's root.
    if (isGcManaged(type)) heap.writeBarrier(NULL_REF, value as RefWord);
    writeSlot(cells, i, type, value);
    if (scope !== undefined) heap.exitScope(scope);
    instance.counters.slotsWritten++;
  }

  initializeTables(instance: Instance): void {
    for (let i = 0; i < this.tableInits.length; i++) this.initializeTable(instance, definedAt(i));
  }

  /** Fills defined table `i` with its init expression's value, if it has one. */
  initializeTable(instance: Instance, i: DefinedIndex<'table'>): void {
    const init = this.tableInits[i];
    if (init === undefined) return;
    const heap = instance.store.heap;
    const table = instance.tables[wholeIndex(this.compiled.info.importedTables, i)];
    const scope = init.scoped ? heap.enterScope() : undefined;
    const raw = this.evaluate(instance, init.expr, 'ref') as RefWord;
    if (isGcManaged(table.type.element)) for (let j = 0; j < table.size; j++) heap.writeBarrier(NULL_REF, raw);
    table.elements.fill(raw, 0, table.size);
    if (scope !== undefined) heap.exitScope(scope);
    instance.counters.slotsWritten += table.size;
  }

  /**
   * Each segment is evaluated and applied before the next, as V8 does. The spec
   * evaluates every segment's items first; the two orders differ only when a later
   * segment's evaluation fails (out of GC memory), where the earlier segments' writes
   * into an imported table stay visible here and in V8. Interleaving also lets garbage
   * of dropped segments be collected while later ones allocate.
   */
  initializeElementSegments(instance: Instance): void {
    const count = this.elements.length;
    for (let i = 0; i < count; i++) this.initializeElementSegment(instance, i);
  }

  /** Makes element instance `i`, then applies it (active) and drops it (active, declarative). */
  initializeElementSegment(instance: Instance, i: number): void {
    const segment = this.compiled.module.elements[i];
    this.makeElementInstance(instance, segment, i);
    const mode = segment.mode;
    if (mode.kind === 'passive') return;
    if (mode.kind === 'active') {
      const offset = addressOf(this.evaluate(instance, this.elements[i].offset!, this.offsetKind(mode.table, 'table')));
      applyElementSegment(instance, instance.tables[mode.table], offset, instance.elems[i]);
    }
    dropElementSegment(instance, i);
  }

  initializeDataSegments(instance: Instance): void {
    const count = this.compiled.module.datas.length;
    for (let i = 0; i < count; i++) this.initializeDataSegment(instance, i);
  }

  /** Makes data instance `i`; an active one is applied and dropped. */
  initializeDataSegment(instance: Instance, i: number): void {
    const datas = this.compiled.module.datas;
    if (!datas.isActive(i)) {
      instance.datas[i] = this.dataBytes[i];
      return;
    }
    instance.datas[i] = EMPTY_BYTES;
    const memory = datas.memory(i);
    const prepared = this.dataOffsets[i];
    const offset =
      prepared === undefined ? datas.constantAddress(i)! : addressOf(this.evaluate(instance, prepared, this.offsetKind(memory, 'memory')));
    applyDataSegment(instance, instance.memories[memory], offset, this.dataBytes[i], i);
  }

  /**
   * The element instance joins the instance before its items are evaluated, so an
   * evaluation cut short by an error leaves what it made where releasing finds it.
   */
  private makeElementInstance(instance: Instance, segment: ElementSegment, index: number): void {
    if (segment.items.kind === 'funcs') {
      const indices = segment.items.indices;
      const refs = refWords(indices.length);
      for (let i = 0; i < refs.length; i++) refs[i] = funcRef(instance.funcAddresses[indices[i]]);
      instance.elems[index] = refs;
      return;
    }
    const items = this.elements[index].items;
    const refs = refWords(items!.length);
    instance.elems[index] = refs;
    const counted = isGcManagedIn(this.compiled.info.canonicalTypes, segment.type);
    const heap = instance.store.heap;
    for (let i = 0; i < refs.length; i++) {
      const item = items![i];
      const scope = item.scoped ? heap.enterScope() : undefined;
      refs[i] = this.evaluate(instance, item.expr, 'ref') as RefWord;
      if (counted) heap.incRef(refs[i]);
      if (scope !== undefined) heap.exitScope(scope);
    }
  }

  /** Evaluates with the context the evaluator allocates in (a root scope, or the no-GC guard). */
  private evaluate(instance: Instance, prepared: P, kind: ResultKind): Value {
    return this.evaluator.evaluate(instance, prepared, kind, this.evaluator.context(instance.store.heap));
  }

  private offsetKind(index: number, kind: 'table' | 'memory'): ResultKind {
    const info = this.compiled.info;
    return (kind === 'table' ? info.tables[index] : info.memories[index]).addressType;
  }
}

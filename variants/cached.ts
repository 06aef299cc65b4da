// `cached`: `fast-path`, plus the module image (module-image.ts) copied into each new
// instance in bulk: folded globals, funcref table contents and memory bytes. What the
// image does not cover is still computed per instance, in the spec's order. Wasmtime's
// lazy funcref tables and copy-on-write memory images are this idea at engine scale.
import type { CompiledModule } from '../runtime/module/compile.ts';
import type { Initializer, Strategy } from '../runtime/instance/initializer.ts';
import type { Instance } from '../runtime/instance/instance.ts';
import { GlobalCells } from '../runtime/instance/global-cells.ts';
import { fastPathEvaluator, type PreparedExpr } from './fast-path.ts';
import { InterpretedInitializer } from './interpreted-initializer.ts';
import { buildModuleImage, type ModuleImage } from './module-image.ts';
import { definedAt, wholeIndex, type DefinedIndex } from '../runtime/module/index-spaces.ts';
import { noteMemoryWrite } from '../runtime/instance/memory-pool.ts';

class CachedInitializer implements Initializer {
  private readonly image: ModuleImage;
  private readonly rest: InterpretedInitializer<PreparedExpr>;
  // What is left to compute per instance, listed once per module.
  private readonly unfoldedGlobals: readonly DefinedIndex<'global'>[];
  private readonly tablesToFill: readonly DefinedIndex<'table'>[];
  private readonly uncoveredElements: readonly number[];
  private readonly uncoveredDatas: readonly number[];

  constructor(compiled: CompiledModule) {
    this.image = buildModuleImage(compiled);
    this.rest = new InterpretedInitializer(compiled, fastPathEvaluator);
    this.unfoldedGlobals = this.image.globalValues.flatMap((value, i) => (value === undefined ? [definedAt<'global'>(i)] : []));
    const { importedTables } = compiled.info;
    this.tablesToFill = compiled.module.tables.flatMap((_, i) => {
      const table = definedAt<'table'>(i);
      return this.image.imagedTables.has(wholeIndex(importedTables, table)) ? [] : [table];
    });
    this.uncoveredElements = this.image.coveredElements.flatMap((covered, i) => (covered ? [] : [i]));
    // Passive data segments need nothing beyond the template.
    const datas = compiled.module.datas;
    const uncoveredDatas: number[] = [];
    for (let i = 0; i < datas.length; i++) if (datas.isActive(i) && !this.image.coveredDatas[i]) uncoveredDatas.push(i);
    this.uncoveredDatas = uncoveredDatas;
  }

  initializeGlobals(instance: Instance): void {
    const cells = new GlobalCells(0, this.image.globals);
    instance.globalCells = cells;
    const counters = instance.counters;
    counters.imageCopies++;
    counters.bytesCopied += cells.bytes.length;
    counters.slotsWritten += this.image.globalValues.length - this.unfoldedGlobals.length;
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
    instance.elems = this.image.elemTemplate.slice();
    for (const i of this.uncoveredElements) this.rest.initializeElementSegment(instance, i);
  }

  initializeDataSegments(instance: Instance): void {
    const counters = instance.counters;
    for (const { memory, runs, written } of this.image.memories) {
      const target = instance.memories[memory];
      for (const { offset, bytes } of runs) {
        target.bytes.set(bytes, offset);
        counters.imageCopies++;
        counters.bytesCopied += bytes.length;
      }
      noteMemoryWrite(target, written.start, written.end);
    }
    instance.datas = this.image.dataTemplate.slice();
    for (const i of this.uncoveredDatas) this.rest.initializeDataSegment(instance, i);
  }
}

export const cached: Strategy = {
  name: 'cached',
  description: 'fast-path, plus a per-module image of instance-independent globals, funcref tables and memory bytes',
  prepare: (compiled) => new CachedInitializer(compiled),
};

// A module instance: the per-instance half of the module/instance split. Objects that
// only an embedder looks at (global and function objects, the exports map) are made on
// first use, so instantiating a module with 10,000 globals writes 10,000 slots and does
// not allocate 10,000 objects.
import type { CompiledModule } from '../module/compile.ts';
import type { Extern, GlobalInst, MemoryInst, Store, TableInst, TagInst } from './store.ts';
import { GlobalCells } from './global-cells.ts';
import type { CanonicalGlobalType } from '../module/type-registry.ts';
import { readSlot, type Value } from './const-value.ts';
import { zeroCounters, type InstantiationCounters } from './counters.ts';
import { definedIndex } from '../module/index-spaces.ts';
import type { RefWords } from '../gc/raw-ref.ts';

export class Instance {
  readonly store: Store;
  readonly module: CompiledModule;
  /** Store address of every function in the function index space. */
  readonly funcAddresses: Int32Array;
  readonly globalImports: GlobalInst[] = [];
  /** Slots of the globals this instance defines, by defined index (index-spaces.ts). */
  globalCells: GlobalCells;
  /** Canonical types of all globals in the global index space. */
  readonly globalTypes: readonly CanonicalGlobalType[];
  readonly tables: TableInst[] = [];
  readonly memories: MemoryInst[] = [];
  readonly tags: TagInst[] = [];
  /** Raw reference words of each element segment's items; empty once dropped. */
  elems: RefWords[] = [];
  /** Bytes of each data segment; empty once dropped. */
  datas: Uint8Array[] = [];
  /** What this instantiation did, counted (initializer.ts). */
  readonly counters: InstantiationCounters = zeroCounters();
  /** Set once `releaseInstance` has released what the instance held. */
  released = false;
  /** Made on the first request for a defined global's object (most instances get none). */
  private globalObjects?: Map<number, GlobalInst>;
  private exportMap?: Map<string, Extern>;

  constructor(store: Store, module: CompiledModule) {
    this.store = store;
    this.module = module;
    this.funcAddresses = new Int32Array(module.info.funcTypes.length);
    this.globalTypes = module.globalTypes;
    this.globalCells = EMPTY_CELLS;
  }

  global(index: number): GlobalInst {
    const defined = definedIndex<'global'>(this.globalImports.length, index);
    if (defined === undefined) return this.globalImports[index];
    this.globalObjects ??= new Map();
    let global = this.globalObjects.get(index);
    if (global === undefined) {
      const type = this.globalTypes[index];
      global = { kind: 'global', type, cells: this.globalCells, slot: defined };
      this.globalObjects.set(index, global);
    }
    return global;
  }

  /** A global's value without making its object (the hot path of `global.get`). */
  readGlobal(index: number): Value {
    const defined = definedIndex<'global'>(this.globalImports.length, index);
    if (defined === undefined) {
      const global = this.globalImports[index];
      return readSlot(global.cells, global.slot, global.type.type);
    }
    return readSlot(this.globalCells, defined, this.globalTypes[index].type);
  }

  get exports(): ReadonlyMap<string, Extern> {
    if (this.exportMap === undefined) {
      this.exportMap = new Map();
      for (const { name, kind, index } of this.module.module.exports) {
        this.exportMap.set(name, this.externOf(kind, index));
      }
    }
    return this.exportMap;
  }

  private externOf(kind: Extern['kind'], index: number): Extern {
    switch (kind) {
      case 'func':
        return this.store.funcAt(this.funcAddresses[index]);
      case 'global':
        return this.global(index);
      case 'table':
        return this.tables[index];
      case 'memory':
        return this.memories[index];
      case 'tag':
        return this.tags[index];
    }
  }
}

const EMPTY_CELLS = new GlobalCells(0);

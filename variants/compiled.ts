// `compiled`: per module, JavaScript source for the whole initialization in straight-line
// code, compiled once with `new Function` and reused for every instance — what Wasmtime
// did in 2026 with a per-module compiled "startup" function that replaced the const-expr
// interpreter. Constants are folded into the module image (module-image.ts) and arrive in bulk
// copies, as do covered tables and memories; every other global is one typed-array
// write of straight-line code computing its value; the rest of the segments
// run in order through the same trap-checking operations as every strategy, so partial
// initialization is the spec's. GC allocations are rooted in a scope around each global
// or item, as `val` roots them.
import type { CompiledModule } from '../runtime/module/compile.ts';
import type { Value } from '../runtime/instance/const-value.ts';
import { allocateDefaultArray, allocateDefaultStruct, allocateFilledArray, allocateFixedArray, allocateStruct } from '../runtime/gc/alloc.ts';
import { layoutOf, type StructLayout } from '../runtime/gc/layout.ts';
import type { Initializer, Strategy } from '../runtime/instance/initializer.ts';
import type { ConstExpr, ValType } from '../runtime/module/module.ts';
import { isGcManagedIn } from '../runtime/module/ref-family.ts';
import { addressOf, applyDataSegment, applyElementSegment, dropElementSegment } from '../runtime/instance/segment-ops.ts';
import { noteMemoryWrite } from '../runtime/instance/memory-pool.ts';
import { GlobalCells } from '../runtime/instance/global-cells.ts';
import { definedAt, definedIndex, wholeIndex } from '../runtime/module/index-spaces.ts';
import { buildModuleImage, type ModuleImage } from './module-image.ts';
import type { DataSegments } from '../runtime/module/data-segments.ts';
import { I32_ARITHMETIC, I64_ARITHMETIC, pushedConstant, REF_FUNC, REF_I31 } from './const-ops.ts';

/** Statements per generated global-initializing function: small enough for V8 to optimize. */
const GLOBALS_PER_CHUNK = 1000;

/** What generated code reaches outside itself: helpers and the module's constant pools. */
interface Context {
  readonly GlobalCells: typeof GlobalCells;
  readonly image: ModuleImage;
  readonly pool: Value[];
  /** A view of each data segment the generated code applies, by segment index. */
  readonly datas: readonly (Uint8Array | undefined)[];
  readonly funcIndices: readonly (Uint32Array | undefined)[];
  readonly addressOf: typeof addressOf;
  readonly applyElementSegment: typeof applyElementSegment;
  readonly applyDataSegment: typeof applyDataSegment;
  readonly noteMemoryWrite: typeof noteMemoryWrite;
  readonly dropElementSegment: typeof dropElementSegment;
  readonly allocateStruct: typeof allocateStruct;
  readonly allocateDefaultStruct: typeof allocateDefaultStruct;
  readonly allocateFilledArray: typeof allocateFilledArray;
  readonly allocateDefaultArray: typeof allocateDefaultArray;
  readonly allocateFixedArray: typeof allocateFixedArray;
}

/** The generated source of a module's initializer (`instlab inspect --show-code`). */
export function compiledSource(compiled: CompiledModule): string {
  return generate(compiled, buildModuleImage(compiled)).source;
}

function generate(compiled: CompiledModule, image: ModuleImage): { source: string; context: Context } {
  const context: Context = {
    GlobalCells,
    image,
    pool: [],
    datas: uncoveredDataBytes(compiled.module.datas, image),
    funcIndices: compiled.module.elements.map((e) => (e.items.kind === 'funcs' ? e.items.indices : undefined)),
    addressOf,
    applyElementSegment,
    applyDataSegment,
    noteMemoryWrite,
    dropElementSegment,
    allocateStruct,
    allocateDefaultStruct,
    allocateFilledArray,
    allocateDefaultArray,
    allocateFixedArray,
  };
  const source = new SourceWriter(compiled, image, context).write();
  return { source, context };
}

class SourceWriter {
  private readonly compiled: CompiledModule;
  private readonly image: ModuleImage;
  private readonly context: Context;

  constructor(compiled: CompiledModule, image: ModuleImage, context: Context) {
    this.compiled = compiled;
    this.image = image;
    this.context = context;
  }

  write(): string {
    const globals = this.globals();
    return [
      '"use strict";',
      ...globals.chunks,
      `function initializeGlobals(instance) {`,
      // Folded globals arrive with the module image in one bulk copy, as a compiler
      // emits a data section for constant memory: a straight-line write per constant
      // runs at interpreter speed until V8 has seen enough instantiations to optimize
      // thousands of statements, and a copy is faster even then.
      `  const cells = new ctx.GlobalCells(0, ctx.image.globals);`,
      `  instance.globalCells = cells;`,
      `  instance.counters.imageCopies++; instance.counters.bytesCopied += cells.bytes.length;`,
      ...globals.calls.map((call) => `  ${call}`),
      `  instance.counters.slotsWritten += ${this.compiled.module.globals.length};`,
      `}`,
      this.tables(),
      this.elements(),
      this.datas(),
      'return { initializeGlobals, initializeTables, initializeElementSegments, initializeDataSegments };',
    ].join('\n');
  }

  private globals(): { chunks: string[]; calls: string[] } {
    const { module, info } = this.compiled;
    const chunks: string[] = [];
    const calls: string[] = [];
    let body: string[] = [];
    const flush = (): void => {
      if (body.length === 0) return;
      const name = `globals${chunks.length}`;
      chunks.push(
        [
          `function ${name}(instance, cells) {`,
          '  const i32 = cells.i32, u32 = cells.u32, i64 = cells.i64, u64 = cells.u64, bytes = cells.bytes;',
          '  const heap = instance.store.heap, fa = instance.funcAddresses;',
          ...body,
          '}',
        ].join('\n'),
      );
      calls.push(`${name}(instance, cells);`);
      body = [];
    };
    module.globals.forEach((global, i) => {
      if (this.image.globalValues[i] !== undefined) return;
      const type = global.type.type;
      const expression = this.expression(global.init);
      if (isGcManagedIn(info.canonicalTypes, type)) {
        body.push(
          `  { const scope = heap.enterScope(); const v = ${expression}; heap.writeBarrier(0, v); u32[${i * 4}] = v; heap.exitScope(scope); }`,
        );
      } else {
        body.push(`  ${this.store(type, i, expression)};`);
      }
      if (body.length >= GLOBALS_PER_CHUNK) flush();
    });
    flush();
    return { chunks, calls };
  }

  private tables(): string {
    const { module, info } = this.compiled;
    const lines = ['function initializeTables(instance) {', '  const heap = instance.store.heap, fa = instance.funcAddresses;'];
    module.tables.forEach((table, k) => {
      const index = wholeIndex(info.importedTables, definedAt<'table'>(k));
      // A table with an image gets its init value from it (initializeElementSegments).
      if (table.init === undefined || this.image.imagedTables.has(index)) return;
      const counted = isGcManagedIn(info.canonicalTypes, table.type.element);
      lines.push(
        `  { const t = instance.tables[${index}]; const scope = heap.enterScope(); const v = ${this.expression(table.init)};`,
        ...(counted ? ['    for (let j = 0; j < t.size; j++) heap.writeBarrier(0, v);'] : []),
        `    t.elements.fill(v, 0, t.size); heap.exitScope(scope); instance.counters.slotsWritten += t.size; }`,
      );
    });
    lines.push('}');
    return lines.join('\n');
  }

  private elements(): string {
    const { module } = this.compiled;
    const lines = [
      'function initializeElementSegments(instance) {',
      '  const heap = instance.store.heap, fa = instance.funcAddresses, counters = instance.counters;',
    ];
    this.image.tables.forEach(({ table }, k) => {
      lines.push(
        `  { const t = instance.tables[${table}]; t.elements.set(ctx.image.tables[${k}].elements); t.lazyOwner = instance;`,
        `    counters.imageCopies++; counters.slotsWritten += t.size; }`,
      );
    });
    lines.push('  const elems = instance.elems = ctx.image.elemTemplate.slice();');
    module.elements.forEach((segment, i) => {
      if (this.image.coveredElements[i]) return;
      if (segment.items.kind === 'funcs') {
        lines.push(
          `  { const indices = ctx.funcIndices[${i}], refs = new Uint32Array(indices.length);`,
          `    for (let j = 0; j < refs.length; j++) refs[j] = ${REF_FUNC.source('fa[indices[j]]')};`,
          `    elems[${i}] = refs; }`,
        );
      } else {
        const counted = isGcManagedIn(this.compiled.info.canonicalTypes, segment.type);
        lines.push(`  { const refs = elems[${i}] = new Uint32Array(${segment.items.exprs.length});`);
        segment.items.exprs.forEach((expr, j) => {
          lines.push(
            `    { const scope = heap.enterScope(); refs[${j}] = ${this.expression(expr)};${counted ? ` heap.incRef(refs[${j}]);` : ''} heap.exitScope(scope); }`,
          );
        });
        lines.push('  }');
      }
      const mode = segment.mode;
      if (mode.kind === 'passive') return;
      if (mode.kind === 'active') {
        const offset = this.expression(mode.offset);
        lines.push(`  ctx.applyElementSegment(instance, instance.tables[${mode.table}], ctx.addressOf(${offset}), elems[${i}]);`);
      }
      lines.push(`  ctx.dropElementSegment(instance, ${i});`);
    });
    lines.push('}');
    return lines.join('\n');
  }

  private datas(): string {
    const { module } = this.compiled;
    const lines = [
      'function initializeDataSegments(instance) {',
      // Offsets are numeric constant expressions: no function references, no allocation.
      '  const counters = instance.counters;',
    ];
    this.image.memories.forEach(({ memory, runs, written }, k) => {
      lines.push(`  { const memory = instance.memories[${memory}], target = memory.bytes, runs = ctx.image.memories[${k}].runs;`);
      runs.forEach(({ offset, bytes }, r) => {
        lines.push(`    target.set(runs[${r}].bytes, ${offset}); counters.imageCopies++; counters.bytesCopied += ${bytes.length};`);
      });
      lines.push(`    ctx.noteMemoryWrite(memory, ${written.start}, ${written.end});`);
      lines.push('  }');
    });
    lines.push('  instance.datas = ctx.image.dataTemplate.slice();');
    const datas = module.datas;
    for (let i = 0; i < datas.length; i++) {
      if (this.image.coveredDatas[i] || !datas.isActive(i)) continue;
      const constant = datas.constantAddress(i);
      const address = constant === undefined ? `ctx.addressOf(${this.expression(datas.offsetExpr(i))})` : this.literal(constant);
      lines.push(`  ctx.applyDataSegment(instance, instance.memories[${datas.memory(i)}], ${address}, ctx.datas[${i}], ${i});`);
    }
    lines.push('}');
    return lines.join('\n');
  }

  private store(type: ValType, slot: number, expression: string): string {
    switch (type) {
      case 'i32':
        return `i32[${slot * 4}] = ${expression}`;
      case 'i64':
        return `i64[${slot * 2}] = ${expression}`;
      case 'f64':
        return `u64[${slot * 2}] = ${expression}`;
      case 'v128':
        return `bytes.set(${expression}, ${slot * 16})`;
      default:
        return `u32[${slot * 4}] = ${expression}`;
    }
  }

  private literal(value: Value): string {
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'number') return String(value);
    this.context.pool.push(value);
    return `ctx.pool[${this.context.pool.length - 1}]`;
  }

  /** A JS expression computing `expr`, operands in stack order (JS evaluates left to right). */
  private expression(expr: ConstExpr): string {
    const { info } = this.compiled;
    const stack: string[] = [];
    const pop = (): string => stack.pop()!;
    const popN = (n: number): string[] => stack.splice(stack.length - n, n);
    for (const op of expr.ops) {
      const constant = pushedConstant(op);
      if (constant !== undefined) {
        stack.push(this.literal(constant));
        continue;
      }
      switch (op.op) {
        case 'ref.func':
          stack.push(REF_FUNC.source(`fa[${op.func}]`));
          break;
        case 'global.get': {
          const defined = definedIndex<'global'>(info.importedGlobals, op.global);
          const folded = defined === undefined ? undefined : this.image.globalValues[defined];
          stack.push(folded !== undefined ? this.literal(folded) : `instance.readGlobal(${op.global})`);
          break;
        }
        case 'i32.add':
        case 'i32.sub':
        case 'i32.mul': {
          const b = pop();
          stack.push(I32_ARITHMETIC[op.op].source(pop(), b));
          break;
        }
        case 'i64.add':
        case 'i64.sub':
        case 'i64.mul': {
          const b = pop();
          stack.push(I64_ARITHMETIC[op.op].source(pop(), b));
          break;
        }
        case 'ref.i31':
          stack.push(REF_I31.source(pop()));
          break;
        case 'any.convert_extern':
        case 'extern.convert_any':
          break;
        case 'struct.new': {
          const typeId = info.canonicalTypes[op.type];
          const count = (layoutOf(typeId) as StructLayout).fields.length;
          stack.push(`heap.root(ctx.allocateStruct(heap, ${typeId}, [${popN(count).join(', ')}], scope))`);
          break;
        }
        case 'struct.new_default':
          stack.push(`heap.root(ctx.allocateDefaultStruct(heap, ${info.canonicalTypes[op.type]}, scope))`);
          break;
        case 'array.new': {
          const length = pop();
          stack.push(`heap.root(ctx.allocateFilledArray(heap, ${info.canonicalTypes[op.type]}, ${pop()}, (${length}) >>> 0, scope))`);
          break;
        }
        case 'array.new_default':
          stack.push(`heap.root(ctx.allocateDefaultArray(heap, ${info.canonicalTypes[op.type]}, (${pop()}) >>> 0, scope))`);
          break;
        case 'array.new_fixed':
          stack.push(`heap.root(ctx.allocateFixedArray(heap, ${info.canonicalTypes[op.type]}, [${popN(op.length).join(', ')}], scope))`);
          break;
        case 'other':
          throw new TypeError(`${op.name} is not a constant instruction (the module was not validated)`);
      }
    }
    return stack[0];
  }
}

/** Views of the active segments that the image does not cover, made once per module. */
function uncoveredDataBytes(datas: DataSegments, image: ModuleImage): (Uint8Array | undefined)[] {
  const views: (Uint8Array | undefined)[] = [];
  for (let i = 0; i < datas.length; i++) views.push(datas.isActive(i) && !image.coveredDatas[i] ? datas.bytesOf(i) : undefined);
  return views;
}

function prepareCompiled(compiled: CompiledModule): Initializer {
  const { source, context } = generate(compiled, buildModuleImage(compiled));
  return new Function('ctx', source)(context) as Initializer;
}

export const compiledStrategy: Strategy = {
  name: 'compiled',
  description: 'a per-module generated JavaScript initializer: folded constants as an image, straight-line code for the rest',
  prepare: prepareCompiled,
};

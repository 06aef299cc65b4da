// Module-level validation (https://webassembly.github.io/spec/core/valid/modules.html):
// types, index spaces, limits, constant expressions, segments, start and exports.
// Function bodies are validated apart, with this module-level context (validate-function.ts).
import { minWithinMax } from './limits.ts';
import { CompileError } from '../errors.ts';
import type {
  ConstExpr,
  ExternKind,
  GlobalType,
  Limits,
  MemoryType,
  Module,
  RefType,
  TableType,
  ValType,
} from '../module/module.ts';
import type { ModuleInfo } from '../module/module-info.ts';
import { matchesCompositeType, matchesHeapType, matchesRefType } from './subtyping.ts';
import { canonicalizeTypes, canonicalType, toCanonicalRefType, type CanonicalTypeIds } from '../module/type-registry.ts';
import { storageTypeName } from '../module/type-names.ts';
import { ConstExprValidator } from './validate-const-expr.ts';
import { definedAt, wholeIndex } from '../module/index-spaces.ts';
import { checkLimit, DEFAULT_LIMITS, type ImplementationLimits } from '../implementation-limits.ts';

const MAX_PAGES_32 = 0x1_0000;
const MAX_PAGES_64 = 2 ** 48;
const MAX_TABLE_SIZE_32 = 0xffff_ffff;

/**
 * Validates everything outside function bodies and returns the module's index spaces
 * and canonical types. Throws `CompileError` of kind `invalid` (or `malformed` for an
 * inconsistent data count).
 *
 * Module fields without a byte offset of their own (types, function and tag
 * declarations) report offset 0.
 */
export function validate(module: Module, limits: ImplementationLimits = DEFAULT_LIMITS): ModuleInfo {
  checkTypeLimits(module, limits);
  const canonicalTypes = canonicalizeTypes(module);
  validateSubTypes(module, canonicalTypes);
  const spaces = validateImports(module);
  const imported = importCounts(spaces);
  validateFunctions(module, spaces);
  const v = validation(module, canonicalTypes, spaces, imported.importedGlobals);
  validateTables(v);
  validateMemories(v);
  validateGlobals(v);
  validateTags(v);
  validateElementSegments(v);
  validateDataSegments(v);
  validateDataCount(module);
  validateStart(v);
  validateExports(v);
  // After the operand checks: an array.new_fixed short of operands is a type error first.
  checkArrayNewFixedLimit(module, limits);
  return {
    canonicalTypes,
    funcTypes: spaces.funcTypes,
    tables: spaces.tables,
    memories: spaces.memories,
    globals: spaces.globals,
    tags: spaces.tags,
    ...imported,
    declaredFuncs: v.declaredFuncs,
  };
}

/**
 * Sizes of types past what V8 compiles. The subtyping depth comes first: canonicalizing
 * a long chain of subtypes costs time and memory quadratic in its length, and V8 refuses
 * chains deeper than its limit.
 */
function checkTypeLimits(module: Module, limits: ImplementationLimits): void {
  const depths = new Int32Array(module.types.length);
  for (let i = 0; i < module.types.length; i++) {
    const { supertypes, composite } = module.types[i];
    // A forward or self supertype is refused while canonicalizing; here it adds no depth.
    const s = supertypes[0];
    if (s !== undefined && s < i) {
      depths[i] = depths[s] + 1;
      checkLimit(limits, 'subtypeDepth', depths[i], `type ${i}: subtyping depth`);
    }
    if (composite.kind === 'struct') checkLimit(limits, 'structFields', composite.fields.length, `type ${i}: struct fields`);
    if (composite.kind === 'func') {
      checkLimit(limits, 'functionParams', composite.params.length, `type ${i}: function parameters`);
      checkLimit(limits, 'functionResults', composite.results.length, `type ${i}: function results`);
    }
  }
}

function checkArrayNewFixedLimit(module: Module, limits: ImplementationLimits): void {
  const check = (expr: ConstExpr | undefined): void => {
    for (const op of expr?.ops ?? []) if (op.op === 'array.new_fixed') checkLimit(limits, 'arrayNewFixedLength', op.length, 'array.new_fixed length');
  };
  for (const global of module.globals) check(global.init);
  for (const table of module.tables) check(table.init);
  for (const segment of module.elements) if (segment.items.kind === 'exprs') for (const expr of segment.items.exprs) check(expr);
}

/** The index spaces as validation builds them: imports first, then definitions. */
interface IndexSpaces {
  readonly funcTypes: number[];
  readonly tables: TableType[];
  readonly memories: MemoryType[];
  readonly globals: GlobalType[];
  readonly tags: number[];
}

/** What the checks of the module's fields share. */
interface Validation extends IndexSpaces {
  readonly module: Module;
  readonly canonicalTypes: CanonicalTypeIds;
  readonly typeCount: number;
  readonly importedGlobals: number;
  readonly declaredFuncs: FuncIndexSet;
  readonly constExprs: ConstExprValidator;
}

type ImportCounts = Pick<ModuleInfo, 'importedFuncs' | 'importedTables' | 'importedMemories' | 'importedGlobals' | 'importedTags'>;

function validateImports(module: Module): IndexSpaces {
  const typeCount = module.types.length;
  const spaces: IndexSpaces = { funcTypes: [], tables: [], memories: [], globals: [], tags: [] };
  const { funcTypes, tables, memories, globals, tags } = spaces;
  for (const { desc, offset } of module.imports) {
    switch (desc.kind) {
      case 'func':
        checkFuncType(module, desc.typeIndex, offset);
        funcTypes.push(desc.typeIndex);
        break;
      case 'table':
        checkTableType(desc.type, typeCount, offset);
        tables.push(desc.type);
        break;
      case 'memory':
        checkMemoryType(desc.type, offset);
        memories.push(desc.type);
        break;
      case 'global':
        checkValType(desc.type.type, typeCount, offset);
        globals.push(desc.type);
        break;
      case 'tag':
        checkTagType(module, desc.typeIndex, offset);
        tags.push(desc.typeIndex);
        break;
    }
  }
  return spaces;
}

/** Called with the imports alone in the index spaces. */
function importCounts(spaces: IndexSpaces): ImportCounts {
  return {
    importedFuncs: spaces.funcTypes.length,
    importedTables: spaces.tables.length,
    importedMemories: spaces.memories.length,
    importedGlobals: spaces.globals.length,
    importedTags: spaces.tags.length,
  };
}

function validateFunctions(module: Module, { funcTypes }: IndexSpaces): void {
  for (const typeIndex of module.funcs) {
    checkFuncType(module, typeIndex, 0);
    funcTypes.push(typeIndex);
  }
}

/**
 * The shared state of the remaining checks. Every global joins the index space before
 * any constant expression is validated: each expression is told how many it may see.
 */
function validation(module: Module, canonicalTypes: CanonicalTypeIds, spaces: IndexSpaces, importedGlobals: number): Validation {
  for (const { type } of module.globals) spaces.globals.push(type);
  const declaredFuncs = new FuncIndexSet(spaces.funcTypes.length);
  const constExprs = new ConstExprValidator({ module, canonicalTypes, funcTypes: spaces.funcTypes, globals: spaces.globals, declaredFuncs });
  return { ...spaces, module, canonicalTypes, typeCount: module.types.length, importedGlobals, declaredFuncs, constExprs };
}

/** Table initializers see only the imported globals. */
function validateTables({ module, typeCount, importedGlobals, constExprs, tables }: Validation): void {
  for (const table of module.tables) {
    const { type, init, offset } = table;
    checkTableType(type, typeCount, offset);
    if (init !== undefined) constExprs.validate(init, type.element, importedGlobals);
    else if (!type.element.nullable) {
      throw typeMismatch(`table of non-defaultable type ${storageTypeName(type.element)} needs an initializer`, offset);
    }
    tables.push(type);
  }
}

function validateMemories({ module, memories }: Validation): void {
  for (const { type, offset } of module.memories) {
    checkMemoryType(type, offset);
    memories.push(type);
  }
}

/** A global initializer sees the globals before it: the imported ones and those defined earlier. */
function validateGlobals({ module, typeCount, importedGlobals, constExprs }: Validation): void {
  for (let i = 0; i < module.globals.length; i++) {
    const { type, init, offset } = module.globals[i];
    checkValType(type.type, typeCount, offset);
    constExprs.validate(init, type.type, wholeIndex(importedGlobals, definedAt<'global'>(i)));
  }
}

function validateTags({ module, tags }: Validation): void {
  for (const typeIndex of module.tags) {
    checkTagType(module, typeIndex, 0);
    tags.push(typeIndex);
  }
}

/** Segments see every global. */
function validateElementSegments({ module, typeCount, canonicalTypes, funcTypes, tables, globals, declaredFuncs, constExprs }: Validation): void {
  for (const segment of module.elements) {
    const { mode, items, offset } = segment;
    checkValType(segment.type, typeCount, offset);
    const type = toCanonicalRefType(segment.type, canonicalTypes);
    if (items.kind === 'funcs') {
      // `(ref $t)` of any function type matches `func`, so only other types need a look.
      const anyFunc = type.heap === 'func';
      for (const func of items.indices) {
        if (func >= funcTypes.length) throw new CompileError('invalid', `unknown function ${func}`, offset);
        if (!anyFunc && !matchesHeapType(canonicalTypes[funcTypes[func]], type.heap)) {
          throw typeMismatch(`function ${func} is not of element type ${storageTypeName(segment.type)}`, offset);
        }
        declaredFuncs.add(func);
      }
    } else {
      for (const expr of items.exprs) constExprs.validate(expr, segment.type, globals.length);
    }
    if (mode.kind === 'active') {
      if (mode.table >= tables.length) throw new CompileError('invalid', `unknown table ${mode.table}`, offset);
      const table = tables[mode.table];
      if (!matchesRefType(type, toCanonicalRefType(table.element, canonicalTypes))) {
        throw typeMismatch(
          `element type ${storageTypeName(segment.type)} does not match table element type ${storageTypeName(table.element)}`,
          offset,
        );
      }
      constExprs.validate(mode.offset, table.addressType, globals.length);
    }
  }
}

/**
 * An inline constant offset of the memory's address type is valid as it stands; any
 * other offset, a mismatched constant included, goes through the validator as an
 * expression, which reports what is wrong with it.
 */
function validateDataSegments({ module, memories, globals, constExprs }: Validation): void {
  const datas = module.datas;
  for (let i = 0; i < datas.length; i++) {
    if (!datas.isActive(i)) continue;
    const memory = datas.memory(i);
    if (memory >= memories.length) throw new CompileError('invalid', `unknown memory ${memory}`, datas.byteOffset(i));
    const addressType = memories[memory].addressType;
    if (datas.constantType(i) !== addressType) constExprs.validate(datas.offsetExpr(i), addressType, globals.length);
  }
}

function validateDataCount(module: Module): void {
  if (module.dataCount !== undefined && module.dataCount !== module.datas.length) {
    throw new CompileError('malformed', 'data count and data section have inconsistent lengths', 0);
  }
}

function validateStart({ module, funcTypes }: Validation): void {
  if (module.start === undefined) return;
  const start = module.start;
  if (start >= funcTypes.length) throw new CompileError('invalid', `unknown function ${start}`, 0);
  const type = module.types[funcTypes[start]].composite;
  if (type.kind !== 'func' || type.params.length !== 0 || type.results.length !== 0) {
    throw new CompileError('invalid', `start function ${start} must have type [] -> []`, 0);
  }
}

/** Export names are unique; an exported function counts as declared. */
function validateExports({ module, funcTypes, tables, memories, globals, tags, declaredFuncs }: Validation): void {
  const counts: Record<ExternKind, number> = {
    func: funcTypes.length,
    table: tables.length,
    memory: memories.length,
    global: globals.length,
    tag: tags.length,
  };
  const names = new Set<string>();
  for (const { name, kind, index, offset } of module.exports) {
    if (names.has(name)) throw new CompileError('invalid', `duplicate export name "${name}"`, offset);
    names.add(name);
    if (index >= counts[kind]) {
      throw new CompileError('invalid', `unknown ${kind === 'func' ? 'function' : kind} ${index}`, offset);
    }
    if (kind === 'func') declaredFuncs.add(index);
  }
}

/**
 * A declared supertype must not be final, and the type must match it structurally.
 * (Supertype count and order are checked while canonicalizing.) Subtyping between the
 * canonical ids is by declaration, so types of one group can refer to each other here.
 */
function validateSubTypes(module: Module, canonicalTypes: CanonicalTypeIds): void {
  for (let i = 0; i < module.types.length; i++) {
    const supertypes = module.types[i].supertypes;
    if (supertypes.length === 0) continue;
    const s = supertypes[0];
    const supertype = canonicalType(canonicalTypes[s]);
    if (supertype.final) throw new CompileError('invalid', `sub type ${i} has final super type ${s}`, 0);
    if (!matchesCompositeType(canonicalType(canonicalTypes[i]).composite, supertype.composite)) {
      throw new CompileError('invalid', `sub type ${i} does not match super type ${s}`, 0);
    }
  }
}

function checkValType(t: ValType, typeCount: number, at: number): void {
  if (typeof t !== 'string') checkRefType(t, typeCount, at);
}

function checkRefType(t: RefType, typeCount: number, at: number): void {
  if (typeof t.heap === 'number' && t.heap >= typeCount) throw new CompileError('invalid', `unknown type ${t.heap}`, at);
}

function checkFuncType(module: Module, typeIndex: number, at: number): void {
  if (typeIndex >= module.types.length) throw new CompileError('invalid', `unknown type ${typeIndex}`, at);
  if (module.types[typeIndex].composite.kind !== 'func') {
    throw new CompileError('invalid', `non-function type ${typeIndex}`, at);
  }
}

/** Exceptions carry the parameters only, so a tag's function type has no results. */
function checkTagType(module: Module, typeIndex: number, at: number): void {
  checkFuncType(module, typeIndex, at);
  const type = module.types[typeIndex].composite;
  if (type.kind === 'func' && type.results.length !== 0) {
    throw new CompileError('invalid', `non-empty tag result type (type ${typeIndex})`, at);
  }
}

function checkTableType(t: TableType, typeCount: number, at: number): void {
  // An i64 table may have up to 2^64-1 elements, every value the binary format can hold.
  if (t.addressType === 'i32') checkLimits(t.limits, MAX_TABLE_SIZE_32, 'table size must be at most 2^32-1', at);
  else checkMinMax(t.limits, at);
  checkRefType(t.element, typeCount, at);
}

function checkMemoryType(t: MemoryType, at: number): void {
  if (t.addressType === 'i32') checkLimits(t.limits, MAX_PAGES_32, 'memory size must be at most 65536 pages (4GiB)', at);
  else checkLimits(t.limits, MAX_PAGES_64, 'memory size must be at most 2^48 pages (256TiB)', at);
  // Shared memories cannot move when they grow, so their reservation must be bounded.
  if (t.shared && t.limits.max === undefined) throw new CompileError('invalid', 'shared memory must have maximum', at);
}

function checkLimits(limits: Limits, range: number, sizeMessage: string, at: number): void {
  if (limits.min > range || (limits.max !== undefined && limits.max > range)) {
    throw new CompileError('invalid', sizeMessage, at);
  }
  checkMinMax(limits, at);
}

function checkMinMax(limits: Limits, at: number): void {
  if (!minWithinMax(limits)) {
    throw new CompileError('invalid', 'size minimum must not be greater than maximum', at);
  }
}

function typeMismatch(detail: string, at: number): CompileError {
  return new CompileError('invalid', `type mismatch: ${detail}`, at);
}

/**
 * The declared functions, as a bitmap over the function index space. Every entry of an
 * element segment declares its function, and hashing each into a `Set` would cost more
 * than the rest of validating the segment.
 */
class FuncIndexSet implements ReadonlySet<number> {
  private readonly marks: Uint8Array;
  private count = 0;

  constructor(funcCount: number) {
    this.marks = new Uint8Array(funcCount);
  }

  get size(): number {
    return this.count;
  }

  /** `index` must be a valid function index. */
  add(index: number): void {
    if (this.marks[index] === 0) {
      this.marks[index] = 1;
      this.count++;
    }
  }

  has(index: number): boolean {
    return this.marks[index] === 1;
  }

  /** In increasing index order. */
  *values(): SetIterator<number> {
    for (let i = 0; i < this.marks.length; i++) if (this.marks[i] === 1) yield i;
  }

  keys(): SetIterator<number> {
    return this.values();
  }

  *entries(): SetIterator<[number, number]> {
    for (const i of this.values()) yield [i, i];
  }

  [Symbol.iterator](): SetIterator<number> {
    return this.values();
  }

  forEach(callback: (value: number, key: number, set: ReadonlySet<number>) => void, thisArg?: unknown): void {
    for (const i of this.values()) callback.call(thisArg, i, i, this);
  }
}

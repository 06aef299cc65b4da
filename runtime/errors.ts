// The spec's three failure kinds, as typed errors that carry where they happened.
// `CompileError` splits into the spec's two assertion kinds: bytes that do not decode
// ("malformed") and a decoded module that does not validate ("invalid").

export type CompileErrorKind = 'malformed' | 'invalid';

export class CompileError extends Error {
  override name = 'CompileError';
  readonly kind: CompileErrorKind;
  /** Byte offset in the module where the problem was found. */
  readonly offset: number;

  constructor(kind: CompileErrorKind, message: string, offset: number) {
    super(`${message} (at byte 0x${offset.toString(16)})`);
    this.kind = kind;
    this.offset = offset;
  }
}

export class LinkError extends Error {
  override name = 'LinkError';
  /** Index of the offending import in the module's import section. */
  readonly importIndex: number;

  constructor(message: string, importIndex: number) {
    super(message);
    this.importIndex = importIndex;
  }
}

/** A trap during instantiation (out-of-bounds segment) or in a host call. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** Instantiation of a module whose start function would have to run. */
export class StartFunctionError extends Error {
  override name = 'StartFunctionError';
  readonly funcIndex: number;

  constructor(funcIndex: number) {
    super(
      `module has a start function (func ${funcIndex}); this runtime does not execute code, ` +
        'instantiate with { skipStart: true } (instlab: --skip-start) to leave it unrun',
    );
    this.funcIndex = funcIndex;
  }
}

// Bad input or usage: the CLI prints the message on one line and exits with status 2.
export class BadInput extends Error {
  override name = 'BadInput';
}

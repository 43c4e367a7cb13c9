/** What a synchronous call threw (fails the test when it threw nothing, or threw something that is not an Error). */
export function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (err: unknown) {
    if (err instanceof Error) return err;
    throw new Error(`threw a non-Error: ${String(err)}`, { cause: err });
  }
  throw new Error('expected the call to throw');
}

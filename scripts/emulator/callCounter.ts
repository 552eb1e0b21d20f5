/** Counts the API calls a client makes, by command name (retries of one call count once). */
export function countCalls(client: { middlewareStack: { add: (mw: never, opts: object) => void } }): Map<string, number> {
  const counts = new Map<string, number>();
  const mw = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
    const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  };
  client.middlewareStack.add(mw as never, { step: 'initialize', name: 'runtime-warden-call-counter' });
  return counts;
}

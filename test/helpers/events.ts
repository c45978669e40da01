// Waiting on switch events in tests, with a timeout that says what was awaited.
import { firstValueFrom, filter, timeout, type Observable } from "rxjs";
import type { TimedSwitchEvent } from "@netapprox/p4runtime/switch.js";

export function nextEvent<T extends TimedSwitchEvent["type"]>(
  events$: Observable<TimedSwitchEvent>,
  type: T,
  ms = 5_000,
): Promise<Extract<TimedSwitchEvent, { type: T }>> {
  return firstValueFrom(
    events$.pipe(
      filter((e): e is Extract<TimedSwitchEvent, { type: T }> => e.type === type),
      timeout({
        first: ms,
        with: () => {
          throw new Error(`no '${type}' event within ${ms}ms`);
        },
      }),
    ),
  );
}

export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not reached within ${ms}ms`);
}

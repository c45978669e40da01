// Small helpers shared by the UDP edges: binding with a promise, a monotonic clock,
// and a timer that is re-armed to the state machine's next wake-up time.
import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP, isIPv6 } from "node:net";
import { performance } from "node:perf_hooks";
import type { HostPort } from "./units.js";

export const nowMs = (): number => performance.now();

/** Milliseconds since the epoch of a `nowMs()` reading: comparable between processes of a machine. */
export const epochMs = (monotonicMs: number): number => performance.timeOrigin + monotonicMs;

/**
 * Waits until the wall clock reaches `atEpochMs` (no wait when absent or past): a program
 * started ahead of its time begins exactly then, its start-up done.
 */
export async function waitUntil(atEpochMs: number | undefined): Promise<void> {
  if (atEpochMs === undefined) return;
  // Node's timers count from the event loop's cached clock and whole milliseconds, so a
  // timer can fire a little before the instant asked for: wait again until it has passed.
  for (;;) {
    const delay = atEpochMs - epochMs(nowMs());
    if (delay <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(delay)));
  }
}

/** The address of a host name, looked up once (dgram would look it up per datagram). */
export async function resolveHost(address: HostPort): Promise<HostPort> {
  if (isIP(address.host) !== 0) return address;
  const { address: host } = await lookup(address.host);
  return { host, port: address.port };
}

/** The wildcard address of the family the peer's address belongs to. */
export function anyAddressFor(peer: HostPort): HostPort {
  return { host: isIPv6(peer.host) ? "::" : "0.0.0.0", port: 0 };
}

/** Binds a UDP socket (IPv4 unless the address is IPv6) and resolves once bound. */
export async function bindUdp(address: HostPort): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: isIPv6(address.host) ? "udp6" : "udp4" });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once("error", onError);
    socket.bind(address.port, address.host, () => {
      socket.off("error", onError);
      resolve();
    });
  });
  return socket;
}

export function boundAddress(socket: dgram.Socket): HostPort {
  const a = socket.address();
  return { host: a.address, port: a.port };
}

/** Waits (up to a bound) until the socket has handed every queued datagram to the kernel. */
export async function drainSendQueue(socket: dgram.Socket, maxWaitMs = 500): Promise<void> {
  const deadline = nowMs() + maxWaitMs;
  while (socket.getSendQueueCount() > 0 && nowMs() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
  }
}

export async function closeUdp(socket: dgram.Socket): Promise<void> {
  await new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/** One re-armable timer: `arm(at)` replaces any pending wake-up. */
export class WakeTimer {
  private handle: NodeJS.Timeout | null = null;
  private armedAt = Infinity;

  constructor(private readonly onWake: () => void) {}

  arm(atMs: number | null): void {
    this.cancel();
    if (atMs === null) return;
    this.armedAt = atMs;
    this.handle = setTimeout(
      () => {
        this.handle = null;
        this.armedAt = Infinity;
        this.onWake();
      },
      Math.max(0, atMs - nowMs()),
    );
  }

  /** Arms only if that is sooner than the pending wake-up (cheap on every packet). */
  armNoLaterThan(atMs: number | null): void {
    if (atMs !== null && (this.handle === null || atMs < this.armedAt)) this.arm(atMs);
  }

  cancel(): void {
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
    this.armedAt = Infinity;
  }
}

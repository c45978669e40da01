// Test-only UDP relay on loopback that stands between a sender and a receiver and
// drops datagrams: by a deterministic rule (which data chunks, which pass) and/or by
// a token-bucket bottleneck that drops what exceeds a rate, like a policer.
//
//   sender --data--> relay.data  --------> receiver data port
//   sender --ctrl--> relay.control ------> receiver control port
//   sender <-------- relay.control <------ receiver control port (feedback, DONE)
import dgram from "node:dgram";
import type { ApproxRecvResult, ReceiverHandle } from "@netapprox/transport/approx-receiver.js";
import type { HostPort } from "@netapprox/transport/units.js";
import { decode, type DataMessage } from "@netapprox/transport/wire.js";
import { nowMs } from "@netapprox/transport/udp-socket.js";

export interface RelayOptions {
  receiverData: { host: string; port: number };
  receiverControl: { host: string; port: number };
  /** Return true to drop a data datagram (sender to receiver). */
  dropData?: (m: DataMessage) => boolean;
  /** Bottleneck for datagrams towards the receiver data port, bytes per second. */
  bottleneckBytesPerSec?: number;
  /** Bucket depth of the bottleneck in bytes. */
  bottleneckBurstBytes?: number;
}

export interface RelayStats {
  dataForwarded: number;
  dataDropped: number;
  controlForwarded: number;
  feedbackForwarded: number;
}

export interface Relay {
  dataPort: number;
  controlPort: number;
  stats: RelayStats;
  close(): Promise<void>;
}

async function bind(): Promise<dgram.Socket> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => resolve()));
  return s;
}

export async function startLossyRelay(o: RelayOptions): Promise<Relay> {
  const front = await bind(); // data from the sender
  const frontControl = await bind(); // control to and from the sender
  const back = await bind(); // everything towards the receiver
  const stats: RelayStats = {
    dataForwarded: 0,
    dataDropped: 0,
    controlForwarded: 0,
    feedbackForwarded: 0,
  };
  let sender: dgram.RemoteInfo | null = null;
  let tokens = o.bottleneckBurstBytes ?? 4000;
  let last = nowMs();

  const overBottleneck = (size: number): boolean => {
    if (o.bottleneckBytesPerSec === undefined) return false;
    const now = nowMs();
    tokens = Math.min(
      o.bottleneckBurstBytes ?? 4000,
      tokens + ((now - last) * o.bottleneckBytesPerSec) / 1000,
    );
    last = now;
    if (tokens < size) return true;
    tokens -= size;
    return false;
  };

  front.on("message", (msg, rinfo) => {
    sender = rinfo;
    const d = decode(msg);
    const drop =
      (d.kind === "ok" && d.message.type === "data" && o.dropData?.(d.message) === true) ||
      overBottleneck(msg.length);
    if (drop) {
      stats.dataDropped++;
      return;
    }
    stats.dataForwarded++;
    back.send(msg, o.receiverData.port, o.receiverData.host);
  });
  frontControl.on("message", (msg, rinfo) => {
    sender = rinfo;
    stats.controlForwarded++;
    back.send(msg, o.receiverControl.port, o.receiverControl.host);
  });
  back.on("message", (msg) => {
    if (sender === null) return;
    stats.feedbackForwarded++;
    frontControl.send(msg, sender.port, sender.address);
  });

  return {
    dataPort: front.address().port,
    controlPort: frontControl.address().port,
    stats,
    close: async () => {
      await Promise.all(
        [front, frontControl, back].map(
          (s) => new Promise<void>((resolve) => s.close(() => resolve())),
        ),
      );
    },
  };
}

/** What the relay does to the traffic (the receiver's ports come from its handle). */
export type RelayLoss = Omit<RelayOptions, "receiverData" | "receiverControl">;

/**
 * One job through the relay: it starts in front of the listening receiver, `send` runs
 * aimed at it, and it is closed once the receiver has its result.
 */
export async function jobThroughRelay<T>(
  rx: ReceiverHandle,
  loss: RelayLoss,
  send: (to: HostPort, controlPort: number) => Promise<T>,
): Promise<{ tx: T; r: ApproxRecvResult; relay: Relay }> {
  const relay = await startLossyRelay({
    receiverData: rx.data,
    receiverControl: rx.control,
    ...loss,
  });
  const tx = await send({ host: "127.0.0.1", port: relay.dataPort }, relay.controlPort);
  const r = await rx.result;
  await relay.close();
  return { tx, r, relay };
}

// Primary/backup election on the server side (P4Runtime spec §"Client Arbitration and
// Controller Replication"), per (device, role). Pure: the server feeds it arbitration
// updates and departures and sends the notices it returns.
//
// Two behaviours:
//   - "spec" (the specification since v1.1): the primary is the live client whose
//     election id is at least the highest id ever seen for the role. When the primary
//     leaves, there is no primary until a client sends an id at least that high; the
//     backups are told so (NOT_FOUND with the highest id seen).
//   - "bmv2" (BMv2's PI server): the primary is simply the live client with the highest
//     id, so a backup is promoted as soon as the primary leaves.
import { status as Code } from "@grpc/grpc-js";

export type ElectionMode = "spec" | "bmv2";

/** What to tell one client: its status and the election id to put in the update. */
export interface ArbitrationNotice<C> {
  client: C;
  /** OK (primary), ALREADY_EXISTS (backup, there is a primary) or NOT_FOUND (no primary). */
  code: number;
  /** The highest election id seen (the primary's when there is one); undefined before any. */
  electionId: bigint | undefined;
}

interface RoleState<C> {
  /** Live clients and their election ids (undefined: never primary). */
  readonly clients: Map<C, bigint | undefined>;
  primary: C | undefined;
  /** The highest election id ever seen for the role ("election_id_past"). */
  highest: bigint | undefined;
}

export class Election<C> {
  private readonly roles = new Map<string, RoleState<C>>();

  constructor(readonly mode: ElectionMode = "spec") {}

  private state(role: string): RoleState<C> {
    let s = this.roles.get(role);
    if (s === undefined) {
      s = { clients: new Map(), primary: undefined, highest: undefined };
      this.roles.set(role, s);
    }
    return s;
  }

  /** Roles any client ever arbitrated for, and the default role. */
  knowsRole(role: string): boolean {
    return role === "" || this.roles.has(role);
  }

  primary(role: string): C | undefined {
    return this.roles.get(role)?.primary;
  }

  primaryElectionId(role: string): bigint | undefined {
    const s = this.roles.get(role);
    return s?.primary === undefined ? undefined : s.clients.get(s.primary);
  }

  /** True when another live client of the role already uses `electionId`. */
  taken(role: string, client: C | undefined, electionId: bigint | undefined): boolean {
    if (electionId === undefined) return false;
    for (const [other, id] of this.roles.get(role)?.clients ?? []) {
      if (other !== client && id === electionId) return true;
    }
    return false;
  }

  /** A client sent an arbitration update (first or later); returns who to notify. */
  arbitrate(role: string, client: C, electionId: bigint | undefined): ArbitrationNotice<C>[] {
    const s = this.state(role);
    const before = s.primary;
    s.clients.set(client, electionId);
    if (this.mode === "bmv2") return this.promoteHighest(s, before, client);
    if (electionId !== undefined && (s.highest === undefined || electionId >= s.highest)) {
      s.primary = client;
      s.highest = electionId;
      // A new primary (or one re-asserting itself): everyone hears about it.
      return this.noticesToAll(s);
    }
    if (before === client) {
      s.primary = undefined; // a primary that lowered its id steps down
      return this.noticesToAll(s);
    }
    return [this.notice(s, client)];
  }

  /** A client's stream ended; returns who to notify. */
  leave(role: string, client: C): ArbitrationNotice<C>[] {
    const s = this.roles.get(role);
    if (s === undefined || !s.clients.delete(client)) return [];
    if (this.mode === "bmv2") return this.promoteHighest(s, s.primary, undefined);
    if (s.primary !== client) return [];
    s.primary = undefined;
    return this.noticesToAll(s);
  }

  private promoteHighest(
    s: RoleState<C>,
    before: C | undefined,
    joined: C | undefined,
  ): ArbitrationNotice<C>[] {
    let best: C | undefined;
    let bestId: bigint | undefined;
    for (const [c, id] of s.clients) {
      if (id !== undefined && (bestId === undefined || id > bestId)) [best, bestId] = [c, id];
    }
    s.primary = best;
    if (best !== before) return this.noticesToAll(s);
    return joined === undefined ? [] : [this.notice(s, joined)];
  }

  private noticesToAll(s: RoleState<C>): ArbitrationNotice<C>[] {
    return [...s.clients.keys()].map((c) => this.notice(s, c));
  }

  private notice(s: RoleState<C>, client: C): ArbitrationNotice<C> {
    const code =
      s.primary === undefined
        ? Code.NOT_FOUND
        : s.primary === client
          ? Code.OK
          : Code.ALREADY_EXISTS;
    // BMv2 reports the current primary's id (it forgets departed clients).
    const electionId =
      this.mode === "bmv2"
        ? s.primary === undefined
          ? undefined
          : s.clients.get(s.primary)
        : s.highest;
    return { client, code, electionId };
  }
}

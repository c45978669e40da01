// Register reads from BMv2 over its Thrift runtime service (the "standard" service's
// bm_register_read), for what BMv2's P4Runtime server will not serve: the v1model
// program's queue_depth register, which the controller shows as each port's queue depth.
import { ThriftClient, ThriftError, ThriftType } from "./thrift.js";

export class SimpleSwitchRegisters {
  private readonly client: ThriftClient;

  constructor(host: string, port: number, timeoutMs = 2_000) {
    this.client = new ThriftClient(host, port, timeoutMs);
  }

  /** One cell of a register (context 0), as BMv2 holds it. */
  async read(register: string, index: number): Promise<bigint> {
    const value = await this.client.call("standard:bm_register_read", [
      { id: 1, value: { type: ThriftType.I32, value: 0 } },
      { id: 2, value: { type: ThriftType.STRING, value: register } },
      { id: 3, value: { type: ThriftType.I32, value: index } },
    ]);
    if (value === undefined)
      throw new ThriftError(`bm_register_read ${register}[${index}]: the switch refused it`);
    return BigInt(value);
  }

  close(): void {
    this.client.close();
  }
}

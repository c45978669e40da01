// The P4Runtime service as a grpc-js service definition, with protobuf-es doing the
// (de)serialisation. Shared by the client and the test switch so both speak
// exactly the same wire format.
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { P4Runtime } from "./proto/p4/v1/p4runtime_pb.js";

function method<I extends DescMessage, O extends DescMessage>(
  path: string,
  input: I,
  output: O,
  requestStream: boolean,
  responseStream: boolean,
  originalName: string,
): MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return {
    path,
    requestStream,
    responseStream,
    originalName,
    requestSerialize: (m) => Buffer.from(toBinary(input, m)),
    requestDeserialize: (b) => fromBinary(input, b),
    responseSerialize: (m) => Buffer.from(toBinary(output, m)),
    responseDeserialize: (b) => fromBinary(output, b),
  };
}

function serviceDefinition<S extends GenService<never>>(service: S): ServiceDefinition {
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) {
    def[m.localName] = method(
      `/${service.typeName}/${m.name}`,
      m.input,
      m.output,
      m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      m.localName,
    ) as MethodDefinition<unknown, unknown>;
  }
  return def;
}

/** grpc-js definition of p4.v1.P4Runtime; method keys are the camelCase names. */
export const p4RuntimeService: ServiceDefinition = serviceDefinition(
  P4Runtime as unknown as GenService<never>,
);

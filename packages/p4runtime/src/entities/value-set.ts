// Parser value sets: MODIFY replaces all members of a set.
import type { P4MatchField } from "../p4info.js";
import type { CodecOf } from "./codec.js";
import { decodeFieldMatch, encodeMatch, fieldMatchInit } from "./match.js";
import type { DecodedMatch, MatchInput } from "./specs.js";

export const valueSetEntryCodec: CodecOf<"valueSetEntry", "valueSetEntry"> = {
  kind: "valueSetEntry",
  protoCase: "valueSetEntry",
  encode(schema, spec) {
    const vs = schema.valueSets.get(spec.valueSet);
    const fields = [...vs.matchFields];
    const members = spec.members.map((member, i) => {
      const subject = `value set '${vs.name}' member ${i}`;
      const given: [P4MatchField, MatchInput | DecodedMatch][] =
        fields.length === 1
          ? [[fields[0]!, member as MatchInput | DecodedMatch]]
          : Object.entries(member as Record<string, MatchInput | DecodedMatch>).map(
              ([name, input]) => [vs.matchFields.get(name), input],
            );
      const match = given.flatMap(([field, input]) => {
        const encoded = encodeMatch(field, input, `${subject} field '${field.name}'`);
        return encoded === undefined ? [] : [fieldMatchInit(field.id, encoded)];
      });
      return { match: match.sort((a, b) => (a.fieldId ?? 0) - (b.fieldId ?? 0)) };
    });
    return { entity: { case: "valueSetEntry", value: { valueSetId: vs.id, members } } };
  },
  decode(schema, value) {
    const vs = schema.valueSets.get(value.valueSetId);
    const single = vs.matchFields.size === 1;
    return {
      kind: "valueSetEntry",
      valueSet: vs.name,
      members: value.members.map((member, i) => {
        const decoded: Record<string, DecodedMatch> = {};
        for (const m of member.match) {
          const field = vs.matchFields.get(m.fieldId);
          const value = decodeFieldMatch(
            field,
            m,
            `value set '${vs.name}' member ${i} field '${field.name}'`,
          );
          if (value !== undefined) decoded[field.name] = value;
        }
        return single ? (Object.values(decoded)[0] ?? {}) : decoded;
      }),
    };
  },
  key: (value) => `vs:${value.valueSetId}`,
};

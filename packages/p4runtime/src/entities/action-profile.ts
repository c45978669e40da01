// Action profile members (an action under a member id) and groups (weighted members).
import { actionInit, decodeAction } from "./action.js";
import type { CodecOf } from "./codec.js";
import { checkU32 } from "./common.js";

export const actionProfileMemberCodec: CodecOf<"actionProfileMember", "actionProfileMember"> = {
  kind: "actionProfileMember",
  protoCase: "actionProfileMember",
  encode(schema, spec) {
    const profile = schema.actionProfiles.get(spec.actionProfile);
    return {
      entity: {
        case: "actionProfileMember",
        value: {
          actionProfileId: profile.id,
          memberId: checkU32(spec.memberId, `member id of '${profile.name}'`),
          action: actionInit(schema, spec.action, undefined),
        },
      },
    };
  },
  decode(schema, value) {
    const profile = schema.actionProfiles.get(value.actionProfileId);
    return {
      kind: "actionProfileMember",
      actionProfile: profile.name,
      memberId: value.memberId,
      action: decodeAction(schema, value.action, `member ${value.memberId} of '${profile.name}'`),
    };
  },
  key: (value) => `apm:${value.actionProfileId}:${value.memberId}`,
};

export const actionProfileGroupCodec: CodecOf<"actionProfileGroup", "actionProfileGroup"> = {
  kind: "actionProfileGroup",
  protoCase: "actionProfileGroup",
  encode(schema, spec) {
    const profile = schema.actionProfiles.get(spec.actionProfile);
    const members = [...spec.members]
      .sort((a, b) => a.memberId - b.memberId)
      .map((m) => ({
        memberId: checkU32(m.memberId, `member id in group ${spec.groupId}`),
        weight: m.weight ?? 1,
        watchKind: m.watchPort
          ? { case: "watchPort" as const, value: m.watchPort }
          : { case: undefined },
      }));
    return {
      entity: {
        case: "actionProfileGroup",
        value: {
          actionProfileId: profile.id,
          groupId: checkU32(spec.groupId, `group id of '${profile.name}'`),
          members,
          maxSize: spec.maxSize ?? 0,
        },
      },
    };
  },
  decode(schema, value) {
    const profile = schema.actionProfiles.get(value.actionProfileId);
    return {
      kind: "actionProfileGroup",
      actionProfile: profile.name,
      groupId: value.groupId,
      members: value.members.map((m) => ({
        memberId: m.memberId,
        weight: m.weight,
        ...(m.watchKind.case === "watchPort" ? { watchPort: m.watchKind.value } : {}),
      })),
      ...(value.maxSize ? { maxSize: value.maxSize } : {}),
    };
  },
  key: (value) => `apg:${value.actionProfileId}:${value.groupId}`,
};

/**
 * Every keyboard action, declared once as data. The binding hook, the `?` help dialog and the
 * rebinding screen all read this list, so what the dialog shows cannot drift from what the keys
 * do. Pure TypeScript (no React, no DOM): the server may import it to validate a stored key map.
 *
 * Add an action: append an entry here (id `<scope>:<verb>`, a default key that is free in its
 * scope, both descriptions), then bind it where it applies with `useActionHotkeys`.
 */
import { normaliseKey, reservedKeys } from "./keys.ts";

/**
 * Where an action is active. `global` keys work on every screen, so they may not share a key with
 * any other action; actions of one screen only need to differ from each other.
 */
export type HotkeyScope = "global" | "review";

export type Locale = "en" | "zh-CN";

export interface HotkeyAction<Id extends string = string> {
  id: Id;
  /** Canonical key combination (see keys.ts). */
  defaultKey: string;
  description: Record<Locale, string>;
  scope: HotkeyScope;
}

type IntentNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
const intentNumbers: IntentNumber[] = [1, 2, 3, 4, 5, 6, 7, 8, 9];

function pickIntent(number: IntentNumber): HotkeyAction<`review:pick-intent-${IntentNumber}`> {
  return {
    id: `review:pick-intent-${number}`,
    defaultKey: String(number),
    description: { en: `Pick intent ${number}`, "zh-CN": `选择第 ${number} 个意图` },
    scope: "review",
  };
}

export const hotkeyActions = [
  {
    id: "global:help",
    defaultKey: "?",
    description: { en: "Show keyboard shortcuts", "zh-CN": "显示键盘快捷键" },
    scope: "global",
  },
  {
    id: "review:next-utterance",
    defaultKey: "j",
    description: { en: "Next item or utterance", "zh-CN": "下一条（或下一句）" },
    scope: "review",
  },
  {
    id: "review:previous-utterance",
    defaultKey: "k",
    description: { en: "Previous item or utterance", "zh-CN": "上一条（或上一句）" },
    scope: "review",
  },
  ...intentNumbers.map(pickIntent),
  {
    id: "review:open-intent-picker",
    defaultKey: "/",
    description: { en: "Open the intent picker", "zh-CN": "打开意图选择器" },
    scope: "review",
  },
  {
    id: "review:accept",
    defaultKey: "a",
    description: { en: "Accept the draft", "zh-CN": "采纳草稿" },
    scope: "review",
  },
  {
    id: "review:reject",
    defaultKey: "r",
    description: { en: "Reject the draft", "zh-CN": "拒绝草稿" },
    scope: "review",
  },
  {
    id: "review:no-fit",
    defaultKey: "x",
    description: { en: "None of these fits (maybe a new intent)", "zh-CN": "都不合适（可能是新意图）" },
    scope: "review",
  },
  {
    id: "review:override",
    defaultKey: "e",
    description: { en: "Override or edit the draft", "zh-CN": "修改草稿" },
    scope: "review",
  },
  {
    id: "review:save",
    defaultKey: "mod+enter",
    description: { en: "Save", "zh-CN": "保存" },
    scope: "review",
  },
  {
    id: "review:undo",
    defaultKey: "z",
    description: { en: "Undo", "zh-CN": "撤销" },
    scope: "review",
  },
  {
    id: "review:play-pause",
    defaultKey: "space",
    description: { en: "Play or pause the audio", "zh-CN": "播放或暂停音频" },
    scope: "review",
  },
  {
    id: "review:jump-to-evidence",
    defaultKey: "g",
    description: { en: "Jump to the evidence", "zh-CN": "跳转到证据" },
    scope: "review",
  },
  {
    id: "review:next-call",
    defaultKey: "n",
    description: { en: "Next call", "zh-CN": "下一通电话" },
    scope: "review",
  },
  // The rep's call page: the same accept/reject/edit keys as the trainers', plus taking it out.
  {
    id: "review:add-item",
    defaultKey: "i",
    description: { en: "Add a missing action item", "zh-CN": "补充遗漏的行动项" },
    scope: "review",
  },
  {
    id: "review:export-calendar",
    defaultKey: "d",
    description: { en: "Export action items to the calendar (.ics)", "zh-CN": "导出行动项到日历（.ics）" },
    scope: "review",
  },
  {
    id: "review:export-csv",
    defaultKey: "shift+d",
    description: { en: "Export action items as CSV", "zh-CN": "导出行动项为 CSV" },
    scope: "review",
  },
  {
    id: "review:copy-email",
    defaultKey: "c",
    description: { en: "Copy the follow-up e-mail", "zh-CN": "复制跟进邮件" },
    scope: "review",
  },
  {
    id: "review:open-mail",
    defaultKey: "m",
    description: { en: "Open the follow-up e-mail in the mail app", "zh-CN": "在邮件应用中打开跟进邮件" },
    scope: "review",
  },
] as const satisfies readonly HotkeyAction[];

export type HotkeyActionId = (typeof hotkeyActions)[number]["id"];

/** Action id → canonical key, for every action. */
export type KeyBindings = Record<HotkeyActionId, string>;

/** What a user changed: action id → key, only for actions that differ from their default. */
export type KeyOverrides = Partial<Record<HotkeyActionId, string>>;

const actionsById = new Map<string, HotkeyAction<HotkeyActionId>>(
  hotkeyActions.map((action) => [action.id, action]),
);

export const hotkeyScopes: HotkeyScope[] = ["global", "review"];

export function isHotkeyActionId(id: string): id is HotkeyActionId {
  return actionsById.has(id);
}

export function getHotkeyAction(id: HotkeyActionId): HotkeyAction<HotkeyActionId> {
  return actionsById.get(id)!;
}

export function defaultBindings(): KeyBindings {
  return Object.fromEntries(
    hotkeyActions.map((action) => [action.id, action.defaultKey]),
  ) as KeyBindings;
}

/** Two actions can fire on the same screen when they share a scope or either is global. */
export function scopesOverlap(first: HotkeyScope, second: HotkeyScope): boolean {
  return first === second || first === "global" || second === "global";
}

/** The action other than `actionId` that already answers to `key` where `actionId` is active. */
export function findConflict(
  bindings: KeyBindings,
  actionId: HotkeyActionId,
  key: string,
): HotkeyAction<HotkeyActionId> | null {
  const scope = getHotkeyAction(actionId).scope;
  for (const action of hotkeyActions) {
    if (action.id === actionId) continue;
    if (bindings[action.id] === key && scopesOverlap(scope, action.scope)) return action;
  }
  return null;
}

export type RebindResult =
  | { ok: true; bindings: KeyBindings }
  | { ok: false; reason: "unknown-action"; actionId: string }
  | { ok: false; reason: "invalid-key"; key: string }
  | { ok: false; reason: "reserved-key"; key: string }
  | { ok: false; reason: "conflict"; key: string; conflictWith: HotkeyAction<HotkeyActionId> };

/** Binds `key` to `actionId`, refusing a key that another action already uses in the same scope. */
export function rebind(bindings: KeyBindings, actionId: string, key: string): RebindResult {
  if (!isHotkeyActionId(actionId)) return { ok: false, reason: "unknown-action", actionId };
  const canonical = normaliseKey(key);
  if (canonical === null) return { ok: false, reason: "invalid-key", key };
  if (reservedKeys.has(canonical)) return { ok: false, reason: "reserved-key", key: canonical };
  const conflictWith = findConflict(bindings, actionId, canonical);
  if (conflictWith) return { ok: false, reason: "conflict", key: canonical, conflictWith };
  return { ok: true, bindings: { ...bindings, [actionId]: canonical } };
}

export interface RejectedOverride {
  actionId: string;
  key: unknown;
  reason: "unknown-action" | "invalid-key" | "reserved-key" | "conflict";
}

/**
 * The bindings in force for a stored override map, validated on load: unknown actions, unreadable
 * or reserved keys are dropped, and where overrides collide the later action (in registry order)
 * falls back to its default. Whole-map validation lets a saved swap (A↔R) stand, which applying
 * the overrides one at a time would refuse.
 */
export function resolveBindings(overrides: unknown): {
  bindings: KeyBindings;
  rejected: RejectedOverride[];
} {
  const bindings = defaultBindings();
  const rejected: RejectedOverride[] = [];
  const overridden = new Set<HotkeyActionId>();
  if (overrides && typeof overrides === "object" && !Array.isArray(overrides)) {
    for (const [actionId, key] of Object.entries(overrides as Record<string, unknown>)) {
      if (!isHotkeyActionId(actionId)) {
        rejected.push({ actionId, key, reason: "unknown-action" });
        continue;
      }
      const canonical = typeof key === "string" ? normaliseKey(key) : null;
      if (canonical === null) {
        rejected.push({ actionId, key, reason: "invalid-key" });
        continue;
      }
      if (reservedKeys.has(canonical)) {
        rejected.push({ actionId, key, reason: "reserved-key" });
        continue;
      }
      bindings[actionId] = canonical;
      overridden.add(actionId);
    }
  }
  // Revert overrides until no two overlapping actions share a key. Defaults never conflict (a unit
  // test holds the registry to that), so this ends with at most one revert per override.
  for (;;) {
    const collision = firstCollision(bindings, overridden);
    if (!collision) break;
    rejected.push({ actionId: collision, key: bindings[collision], reason: "conflict" });
    bindings[collision] = getHotkeyAction(collision).defaultKey;
    overridden.delete(collision);
  }
  return { bindings, rejected };
}

/** The overridden action to revert for the first collision found, or null when there is none. */
function firstCollision(
  bindings: KeyBindings,
  overridden: Set<HotkeyActionId>,
): HotkeyActionId | null {
  for (const [index, first] of hotkeyActions.entries()) {
    for (const second of hotkeyActions.slice(index + 1)) {
      if (bindings[first.id] !== bindings[second.id] || !scopesOverlap(first.scope, second.scope))
        continue;
      if (overridden.has(second.id)) return second.id;
      if (overridden.has(first.id)) return first.id;
    }
  }
  return null;
}

/** Every collision among the given bindings (empty when they are valid). */
export function listConflicts(bindings: KeyBindings): Array<[HotkeyActionId, HotkeyActionId]> {
  const conflicts: Array<[HotkeyActionId, HotkeyActionId]> = [];
  for (const [index, first] of hotkeyActions.entries()) {
    for (const second of hotkeyActions.slice(index + 1)) {
      if (bindings[first.id] === bindings[second.id] && scopesOverlap(first.scope, second.scope)) {
        conflicts.push([first.id, second.id]);
      }
    }
  }
  return conflicts;
}

/** The part of `bindings` that differs from the defaults: what to store for a user. */
export function toOverrides(bindings: KeyBindings): KeyOverrides {
  const overrides: KeyOverrides = {};
  for (const action of hotkeyActions) {
    if (bindings[action.id] !== action.defaultKey) overrides[action.id] = bindings[action.id];
  }
  return overrides;
}

import { describe, expect, it } from "vitest";
import type { CurrentUser, Role } from "../../api/types.ts";
import { canErase, canRetry, canUpload } from "./permissions.ts";

const user = (role: Role, id = `${role}-1`): CurrentUser => ({
  id,
  role,
  workspaceId: "w",
  teamId: "t",
  teamPath: "/t/",
  email: `${role}@example.com`,
  displayName: role,
  locale: "en",
});

describe("recording permissions", () => {
  it("lets everyone but managers upload and retry", () => {
    expect(
      (["rep", "trainer", "manager", "admin"] as Role[]).filter((role) => canUpload(user(role))),
    ).toEqual(["rep", "trainer", "admin"]);
    expect(
      (["rep", "trainer", "manager", "admin"] as Role[]).filter((role) => canRetry(user(role))),
    ).toEqual(["rep", "trainer", "admin"]);
  });

  it("lets the recording's own rep and admins erase it, nobody else", () => {
    expect(canErase(user("rep", "me"), { ownerId: "me" })).toBe(true);
    expect(canErase(user("rep", "me"), { ownerId: "someone else" })).toBe(false);
    expect(canErase(user("trainer"), { ownerId: "someone else" })).toBe(false);
    expect(canErase(user("manager"), { ownerId: "someone else" })).toBe(false);
    expect(canErase(user("admin"), { ownerId: "someone else" })).toBe(true);
  });
});

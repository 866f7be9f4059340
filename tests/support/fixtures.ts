/** People and teams for tests: a region with two squads, and one user of each role. */
import type { Role } from "../../core/auth/actor.ts";
import { createTeam, defaultWorkspaceId } from "../../core/auth/teams.ts";
import type { Team } from "../../core/auth/teams.ts";
import type { User } from "../../core/auth/users.ts";
import { createUser } from "../../core/auth/users.ts";
import type { Db } from "../../core/db/database.ts";

export const testPassword = "correct horse battery staple";

export interface Organisation {
  workspaceId: string;
  region: Team;
  north: Team;
  south: Team;
  users: {
    admin: User;
    manager: User;
    trainer: User;
    northRep: User;
    otherNorthRep: User;
    southRep: User;
    southTrainer: User;
  };
}

export async function createOrganisation(db: Db): Promise<Organisation> {
  const workspaceId = await defaultWorkspaceId(db);
  const region = await createTeam(db, { workspaceId, name: "East region" });
  const north = await createTeam(db, { workspaceId, name: "North squad", parentId: region.id });
  const south = await createTeam(db, { workspaceId, name: "South squad", parentId: region.id, agentChannel: "right" });
  const user = (email: string, role: Role, team: Team) =>
    createUser(db, { workspaceId, teamId: team.id, email, role, password: testPassword, locale: "en" });
  return {
    workspaceId,
    region,
    north,
    south,
    users: {
      admin: await user("admin@example.com", "admin", region),
      manager: await user("manager@example.com", "manager", region),
      trainer: await user("trainer@example.com", "trainer", north),
      northRep: await user("rep.north@example.com", "rep", north),
      otherNorthRep: await user("rep2.north@example.com", "rep", north),
      southRep: await user("rep.south@example.com", "rep", south),
      southTrainer: await user("trainer.south@example.com", "trainer", south),
    },
  };
}

/**
 * Team roll-up. A team's path is the chain of ids from its root, '/region/squad/cell/', so the teams
 * a row counts towards are exactly the ids on its path: a region's cell is the sum of its own calls
 * and those of every team below it. Rolling up in memory after one grouped query touches each
 * (team, stage) aggregate once per ancestor — a few thousand additions — where a SQL self-join on
 * `path LIKE` would re-read the rollup rows once per ancestor.
 */

export interface TeamRow {
  id: string;
  name: string;
  parentId: string | null;
  path: string;
}

export interface MapTeam {
  id: string;
  name: string;
  parentId: string | null;
  /** 0 for the topmost teams shown, 1 for their children, and so on. */
  depth: number;
}

/** The ids on a team path, root first: '/a/b/' → ['a', 'b']. */
export function pathIds(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0);
}

/**
 * Teams in tree order — each team followed by its subtree, siblings by name — with depth relative to
 * the topmost teams shown (a team whose parent is not shown is a top).
 */
export function toMapTeams(teams: readonly TeamRow[]): MapTeam[] {
  const shown = new Set(teams.map((team) => team.id));
  const children = new Map<string | null, TeamRow[]>();
  for (const team of teams) {
    const parent = team.parentId !== null && shown.has(team.parentId) ? team.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), team]);
  }
  const collator = new Intl.Collator(undefined, { numeric: true });
  const ordered: MapTeam[] = [];
  const visit = (parent: string | null, depth: number) => {
    const siblings = [...(children.get(parent) ?? [])].sort((a, b) =>
      collator.compare(a.name, b.name),
    );
    for (const team of siblings) {
      ordered.push({ id: team.id, name: team.name, parentId: team.parentId, depth });
      visit(team.id, depth + 1);
    }
  };
  visit(null, 0);
  return ordered;
}

/**
 * Calls `add(teamId, row)` once for the row's own team and once for each ancestor, restricted to
 * the visible teams (a manager's map stops at the manager's own team). Rows of teams that are not
 * visible at all (`teamPaths` has no entry) are ignored.
 */
export function rollUpSubtrees<Row extends { teamId: string }>(
  rows: Iterable<Row>,
  teamPaths: ReadonlyMap<string, string>,
  visibleTeamIds: ReadonlySet<string>,
  add: (teamId: string, row: Row) => void,
): void {
  for (const row of rows) {
    const path = teamPaths.get(row.teamId);
    if (path === undefined) continue;
    for (const teamId of pathIds(path)) if (visibleTeamIds.has(teamId)) add(teamId, row);
  }
}

/** "East region / North squad" for each team, from the root of the visible tree. */
export function teamLabels(teams: readonly MapTeam[]): Map<string, string> {
  const byId = new Map(teams.map((team) => [team.id, team]));
  const labels = new Map<string, string>();
  const labelOf = (team: MapTeam): string => {
    const known = labels.get(team.id);
    if (known !== undefined) return known;
    const parent = team.parentId ? byId.get(team.parentId) : undefined;
    const label = parent ? `${labelOf(parent)} / ${team.name}` : team.name;
    labels.set(team.id, label);
    return label;
  };
  for (const team of teams) labelOf(team);
  return labels;
}

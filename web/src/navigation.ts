/**
 * The screens and who may open them, as data: the header renders its links from this list and the
 * router guards each route with the same roles, so the two cannot disagree. The server enforces
 * the same rules on its API; this only spares people links they cannot use.
 *
 * An admin sees every screen, which is too many links for one line: the ones only an admin manages
 * (people, integrations, model connectors, the workspace) sit in one "Admin" menu for them instead.
 */
import type { Role } from "./api/types.ts";

export interface Screen {
  path: string;
  /** Translation key of the link text. */
  label:
    | "nav.recordings"
    | "nav.review"
    | "dashboard.navigation"
    | "nav.promptSets"
    | "agents.navigation"
    | "evals.navigation"
    | "taxonomy.navigation"
    | "nav.capabilityMap"
    | "nav.users"
    | "integrations.navigation"
    | "traces.navigation"
    | "connectors.navigation"
    | "nav.settings"
    | "nav.workspace";
  roles: readonly Role[];
  /** Shown in the main navigation (Settings lives with the account instead). */
  inNavigation: boolean;
  /** Roles that get a navigation link, when fewer than those who may open it. */
  navigationRoles?: readonly Role[];
  /** For an admin, listed in the Admin menu rather than on the top line (other roles keep the link). */
  inAdminMenu?: boolean;
}

const everyone: Role[] = ["rep", "trainer", "manager", "admin"];

export const screens = {
  recordings: { path: "/recordings", label: "nav.recordings", roles: everyone, inNavigation: true },
  review: { path: "/review", label: "nav.review", roles: ["trainer", "admin"], inNavigation: true },
  dashboard: {
    path: "/dashboard",
    label: "dashboard.navigation",
    roles: ["trainer", "manager", "admin"],
    inNavigation: true,
  },
  promptSets: {
    path: "/prompt-sets",
    label: "nav.promptSets",
    roles: ["trainer", "admin"],
    inNavigation: true,
  },
  agents: {
    path: "/agents",
    label: "agents.navigation",
    roles: ["trainer", "manager", "admin"],
    inNavigation: true,
  },
  evals: {
    path: "/evals",
    label: "evals.navigation",
    roles: ["trainer", "manager", "admin"],
    inNavigation: true,
  },
  // Reps open their own calls' traces from a draft item's "Why?"; the list is a link for the others.
  traces: {
    path: "/traces",
    label: "traces.navigation",
    roles: everyone,
    inNavigation: true,
    navigationRoles: ["trainer", "manager", "admin"],
  },
  taxonomy: {
    path: "/taxonomy",
    label: "taxonomy.navigation",
    roles: ["trainer", "manager", "admin"],
    inNavigation: true,
  },
  capabilityMap: {
    path: "/capability-map",
    label: "nav.capabilityMap",
    roles: ["manager", "admin"],
    inNavigation: true,
  },
  users: {
    path: "/users",
    label: "nav.users",
    roles: ["admin"],
    inNavigation: true,
    inAdminMenu: true,
  },
  integrations: {
    path: "/integrations",
    label: "integrations.navigation",
    roles: ["manager", "admin"],
    inNavigation: true,
    inAdminMenu: true,
  },
  connectors: {
    path: "/connectors",
    label: "connectors.navigation",
    roles: ["admin"],
    inNavigation: true,
    inAdminMenu: true,
  },
  // A section of Settings, not a route of its own: the Admin menu is where admins look for it.
  workspace: {
    path: "/settings#workspace",
    label: "nav.workspace",
    roles: ["admin"],
    inNavigation: true,
    inAdminMenu: true,
  },
  settings: { path: "/settings", label: "nav.settings", roles: everyone, inNavigation: false },
} as const satisfies Record<string, Screen>;

export function canOpen(screen: Screen, role: Role): boolean {
  return screen.roles.includes(role);
}

export interface Navigation {
  /** The links on the top line. */
  links: Screen[];
  /** The entries of the Admin menu: empty for everyone but admins. */
  adminMenu: Screen[];
}

export function navigationFor(role: Role): Navigation {
  const linked = Object.values(screens).filter(
    (screen: Screen) =>
      screen.inNavigation &&
      canOpen(screen, role) &&
      (screen.navigationRoles?.includes(role) ?? true),
  );
  const inMenu = (screen: Screen) => role === "admin" && screen.inAdminMenu === true;
  return {
    links: linked.filter((screen) => !inMenu(screen)),
    adminMenu: linked.filter(inMenu),
  };
}

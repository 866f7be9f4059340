/**
 * The arithmetic behind the trainer dashboard, kept pure: date ranges, daily series with the empty
 * days filled in, and per-team figures rolled up from the per-trainer ones. Days are UTC calendar
 * days, the buckets the server counts decisions in.
 */
import type { DashboardResponse, TrainerFigures } from "../review/review-types.ts";

const dayMs = 86_400_000;
const isoDay = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDay(value: string | null | undefined): value is string {
  return (
    typeof value === "string" &&
    isoDay.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
  );
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
}

export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The last `days` days up to and including today. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const to = today(now);
  return { from: addDays(to, -(days - 1)), to };
}

/** Every day from `from` to `to`, both included (empty when the range is backwards). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < 3_700; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The API's range for an inclusive span of days: from its first midnight to the midnight after it. */
export function requestRange(from: string, to: string): { from: string; to: string } {
  return {
    from: `${from}T00:00:00.000Z`,
    to: `${addDays(to, 1)}T00:00:00.000Z`,
  };
}

/** Decisions per day over `days`, for one trainer or (without `userIds`) everyone. */
export function dailySeries(
  daily: DashboardResponse["daily"],
  days: readonly string[],
  userIds?: ReadonlySet<string>,
): number[] {
  const byDay = new Map<string, number>();
  for (const row of daily) {
    if (userIds && !userIds.has(row.userId)) continue;
    byDay.set(row.day, (byDay.get(row.day) ?? 0) + row.decisions);
  }
  return days.map((day) => byDay.get(day) ?? 0);
}

export interface TeamFigures {
  teamName: string;
  userIds: Set<string>;
  trainers: number;
  decisions: number;
  decisionsPerDay: number;
  /** Exact: the trainers' rates weighted by their decisions. */
  overrideRate: number | null;
  rejectRate: number | null;
  /** A team median cannot be rebuilt from trainers' medians: the range they span is shown instead. */
  medianDecisionMs: { low: number; high: number } | null;
  kappa: { low: number; high: number } | null;
  kappaItems: number;
}

function span(values: Array<number | null>): { low: number; high: number } | null {
  const present = values.filter(
    (value): value is number => value !== null && Number.isFinite(value),
  );
  return present.length === 0 ? null : { low: Math.min(...present), high: Math.max(...present) };
}

function weighted(
  trainers: readonly TrainerFigures[],
  rate: (trainer: TrainerFigures) => number | null,
) {
  let total = 0;
  let weight = 0;
  for (const trainer of trainers) {
    const value = rate(trainer);
    if (value === null) continue;
    total += value * trainer.decisions;
    weight += trainer.decisions;
  }
  return weight === 0 ? null : total / weight;
}

export function teamFigures(trainers: readonly TrainerFigures[]): TeamFigures[] {
  const byTeam = new Map<string, TrainerFigures[]>();
  for (const trainer of trainers)
    byTeam.set(trainer.teamName, [...(byTeam.get(trainer.teamName) ?? []), trainer]);
  return [...byTeam]
    .map(([teamName, members]) => ({
      teamName,
      userIds: new Set(members.map((member) => member.userId)),
      trainers: members.length,
      decisions: members.reduce((sum, member) => sum + member.decisions, 0),
      decisionsPerDay: members.reduce((sum, member) => sum + member.decisionsPerDay, 0),
      overrideRate: weighted(members, (member) => member.overrideRate),
      rejectRate: weighted(members, (member) => member.rejectRate),
      medianDecisionMs: span(members.map((member) => member.medianDecisionMs)),
      kappa: span(members.filter((member) => member.kappaItems > 0).map((member) => member.kappa)),
      kappaItems: members.reduce((sum, member) => sum + member.kappaItems, 0),
    }))
    .sort(
      (first, second) =>
        second.decisions - first.decisions || first.teamName.localeCompare(second.teamName),
    );
}

/**
 * The review queue: what waits for a human, filtered (team, customer stage, intent, engine,
 * prompt-set version, kind) and ordered (every intent in turn, least certain first, by default; or by uncertainty or date). "Start
 * reviewing" leases a batch and opens the keyboard review; filters live in the address.
 */
import { useEffect, useState } from "react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearchParams } from "wouter";
import { api } from "../../api/client.ts";
import type { Team, Workspace } from "../../api/types.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { useFormatters } from "../../i18n/format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { activeSession, filtersKey } from "./active-session.ts";
import { IntentChip } from "./intent-chip.tsx";
import {
  actionTypeName,
  effectiveContent,
  evidenceOf,
  intentName,
  localName,
  predictedIntent,
  readActionItem,
  readTalkTrack,
} from "./item-content.ts";
import { filtersFromSearch, searchFromFilters } from "./queue-filters.ts";
import { NewIntentMark } from "./new-intent-mark.tsx";
import { RepMark } from "./rep-mark.tsx";
import { listQueue } from "./review-api.ts";
import { callHref, sessionHref } from "./review-paths.ts";
import type { QueueFilters, ReviewItem, Vocabulary } from "./review-types.ts";
import { engines, itemKinds, outcomeFilters, queueOrders } from "./review-types.ts";
import { useLocale } from "./use-locale.ts";
import { useVocabulary } from "./use-vocabulary.ts";
import "./review.css";

const pageSize = 50;

interface FilterOptions {
  teams: Team[];
  stages: string[];
  promptSetVersions: string[];
}

function useFilterOptions(): FilterOptions {
  const [options, setOptions] = useState<FilterOptions>({
    teams: [],
    stages: [],
    promptSetVersions: [],
  });
  useEffect(() => {
    let cancelled = false;
    // Each list is optional: a filter whose options cannot be loaded stays at "Any".
    void Promise.all([
      api
        .get<{ teams: Team[] }>("/api/teams")
        .then((body) => body.teams)
        .catch(() => []),
      api
        .get<Workspace>("/api/workspace")
        .then((body) => body.customerStages ?? [])
        .catch(() => []),
      api
        .get<{
          promptSets: Array<{
            set: string;
            versions: Array<{ version: string }>;
          }>;
        }>("/api/prompt-sets")
        .then((body) =>
          body.promptSets.flatMap((set) =>
            set.versions.map((version) => `${set.set}@${version.version}`),
          ),
        )
        .catch(() => []),
    ]).then(([teams, stages, promptSetVersions]) => {
      if (!cancelled) setOptions({ teams, stages, promptSetVersions });
    });
    return () => {
      cancelled = true;
    };
  }, []);
  return options;
}

export default function ReviewPage() {
  const { t } = useTranslation();
  const format = useFormatters();
  const user = useCurrentUser();
  const locale = useLocale();
  const [, navigate] = useLocation();
  const [searchParams] = useSearchParams();
  const search = searchParams.toString();
  const filters = filtersFromSearch(search);
  const options = useFilterOptions();
  const [page, setPage] = useState<{
    items: ReviewItem[];
    total: number;
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const vocabulary = useVocabulary(page?.items[0]?.recordingId);
  const session = activeSession(user.id);
  const resumable = session !== null && filtersKey(session.filters) === filtersKey(filters);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    listQueue(filtersFromSearch(search), { limit: pageSize, offset: 0 }, controller.signal)
      .then(setPage)
      .catch((caught: unknown) => {
        if ((caught as Error).name !== "AbortError") setError(caught);
      });
    return () => controller.abort();
  }, [search]);

  const setFilter = (name: keyof QueueFilters, value: string) => {
    const next: QueueFilters = { ...filters, [name]: value || undefined };
    navigate(`/review${searchFromFilters(next)}`, { replace: true });
  };

  const loadMore = async () => {
    if (!page) return;
    setLoadingMore(true);
    try {
      const more = await listQueue(filters, {
        limit: pageSize,
        offset: page.items.length,
      });
      const known = new Set(page.items.map((item) => item.id));
      setPage({
        items: [...page.items, ...more.items.filter((item) => !known.has(item.id))],
        total: more.total,
      });
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section data-testid="review-queue">
      <PageHeader
        title={t("review.queue.title")}
        intro={t("review.queue.intro")}
        actions={
          <>
            {page && (
              <span className="muted" data-testid="queue-total">
                {t("review.queue.waiting", {
                  number: format.number(page.total),
                })}
              </span>
            )}
            <Link href="/review/talk-tracks" className="button" data-testid="open-talk-track-pool">
              {t("outcomes.pool.link")}
            </Link>
            <Link
              href={sessionHref(filters)}
              className={`button button--primary ${page?.total === 0 && !resumable ? "button--disabled" : ""}`}
              data-testid="start-reviewing"
              aria-disabled={page?.total === 0 && !resumable}
            >
              {resumable ? t("review.queue.resume") : t("review.queue.start")}
            </Link>
          </>
        }
      />

      <FilterBar filters={filters} options={options} vocabulary={vocabulary} onChange={setFilter} />

      {error !== null && (
        <div className="panel">
          <p className="message message--error">{t("review.queue.loadFailed")}</p>
          <ErrorMessage error={error} />
        </div>
      )}
      {page === null && error === null && <p className="muted">{t("common.loading")}</p>}
      {page !== null && page.items.length === 0 && (
        <div className="panel empty-state" data-testid="queue-empty">
          <p>{t("review.queue.empty")}</p>
        </div>
      )}
      {page !== null && page.items.length > 0 && (
        <div className="panel panel--flush">
          <div className="table-wrap">
            <table className="table table--compact" data-testid="queue-table">
              <thead>
                <tr>
                  <th>{t("review.queue.columns.call")}</th>
                  <th>{t("review.queue.columns.kind")}</th>
                  <th>{t("review.queue.columns.draft")}</th>
                  <th className="numeric">{t("review.queue.columns.confidence")}</th>
                  <th>{t("review.queue.columns.stage")}</th>
                  <th>{t("review.queue.columns.team")}</th>
                  <th>{t("review.queue.columns.engine")}</th>
                  <th>{t("review.queue.columns.created")}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((item) => (
                  <QueueRow key={item.id} item={item} vocabulary={vocabulary} locale={locale} />
                ))}
              </tbody>
            </table>
          </div>
          {page.items.length < page.total && (
            <div className="table-footer">
              <button type="button" className="button" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? t("common.loading") : t("review.queue.showMore")}
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function QueueRow({
  item,
  vocabulary,
  locale,
}: {
  item: ReviewItem;
  vocabulary: Vocabulary | null;
  locale: ReturnType<typeof useLocale>;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  let draft: ReactNode;
  if (item.kind === "intent") {
    draft = (
      <>
        <IntentChip
          name={intentName(vocabulary?.intents ?? [], predictedIntent(item), locale)}
          confidence={null}
        />{" "}
        <span className="queue-utterance">{item.segmentText}</span>
      </>
    );
  } else if (item.kind === "action_item") {
    const action = readActionItem(effectiveContent(item));
    draft = (
      <>
        {action.flagged ? (
          <span className="badge badge--danger">{t("review.item.flagged")}</span>
        ) : (
          <span className="badge badge--neutral">
            {actionTypeName(vocabulary?.actionCatalogue ?? [], action.type, locale)}
          </span>
        )}{" "}
        {action.title}
      </>
    );
  } else {
    const track = readTalkTrack(effectiveContent(item));
    draft = (
      <>
        <span className="badge badge--neutral">{t(`review.moments.${track.moment}`)}</span>{" "}
        {track.suggestion}
      </>
    );
  }
  return (
    <tr data-testid="queue-row" data-item-id={item.id}>
      <td className="table__primary">
        <Link
          href={callHref(item.recordingId, {
            segment: evidenceOf(item)[0],
            itemId: item.id,
          })}
        >
          {item.recordingTitle}
        </Link>
      </td>
      <td>{t(`review.kinds.${item.kind}`)}</td>
      <td className="queue-draft">
        <RepMark item={item} /> <NewIntentMark item={item} /> {draft}
      </td>
      <td className="numeric">
        {item.confidence === null ? t("common.none") : format.percent(item.confidence)}
      </td>
      <td>{stageLabel(t, item.customerStage)}</td>
      <td>{item.teamName}</td>
      <td>
        {t(`review.engines.${item.engine}`)}
        {item.promptSetVersion && <span className="muted small"> · {item.promptSetVersion}</span>}
      </td>
      <td className="nowrap">{format.date(item.createdAt)}</td>
    </tr>
  );
}

function FilterBar({
  filters,
  options,
  vocabulary,
  onChange,
}: {
  filters: QueueFilters;
  options: FilterOptions;
  vocabulary: Vocabulary | null;
  onChange(name: keyof QueueFilters, value: string): void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [, navigate] = useLocation();
  const any = <option value="">{t("review.queue.any")}</option>;
  const select = (name: keyof QueueFilters, label: string, children: ReactNode, withAny = true) => (
    <label className="field filter">
      <span className="field__label">{label}</span>
      <select
        value={filters[name] ?? ""}
        onChange={(event) => onChange(name, event.target.value)}
        data-testid={`filter-${name}`}
      >
        {withAny && any}
        {children}
      </select>
    </label>
  );
  const hasFilters = Object.keys(filters).some((key) => key !== "order");
  return (
    <div className="panel filter-bar" role="search" aria-label={t("review.queue.filters")}>
      {select(
        "order",
        t("review.queue.order"),
        queueOrders.map((order) => (
          <option key={order} value={order}>
            {t(`review.queue.orders.${order}`)}
          </option>
        )),
        false,
      )}
      {select(
        "kind",
        t("review.queue.kind"),
        itemKinds.map((kind) => (
          <option key={kind} value={kind}>
            {t(`review.kinds.${kind}`)}
          </option>
        )),
      )}
      {select(
        "teamId",
        t("review.queue.team"),
        options.teams.map((team) => (
          <option key={team.id} value={team.id}>
            {team.name}
          </option>
        )),
      )}
      {select(
        "customerStage",
        t("review.queue.customerStage"),
        options.stages.map((stage) => (
          <option key={stage} value={stage}>
            {stageLabel(t, stage)}
          </option>
        )),
      )}
      {select(
        "intent",
        t("review.queue.intent"),
        (vocabulary?.intents ?? []).map((intent) => (
          <option key={intent.id} value={intent.id}>
            {localName(intent.name, locale)}
          </option>
        )),
      )}
      {select(
        "outcome",
        t("outcomes.filter.label"),
        outcomeFilters.map((outcome) => (
          <option key={outcome} value={outcome}>
            {t(`outcomes.filter.values.${outcome}`)}
          </option>
        )),
      )}
      {select(
        "engine",
        t("review.queue.engine"),
        engines.map((engine) => (
          <option key={engine} value={engine}>
            {t(`review.engines.${engine}`)}
          </option>
        )),
      )}
      {select(
        "promptSetVersion",
        t("review.queue.promptSetVersion"),
        options.promptSetVersions.map((version) => (
          <option key={version} value={version}>
            {version}
          </option>
        )),
      )}
      {select(
        "correctedByRep",
        t("review.queue.decidedBy"),
        <option value="true">{t("review.queue.correctedByRep")}</option>,
      )}
      {select(
        "likelyNewIntent",
        t("review.queue.longTail"),
        <option value="true">{t("review.queue.likelyNewIntents")}</option>,
      )}
      {hasFilters && (
        <button
          type="button"
          className="button button--ghost filter-bar__clear"
          onClick={() =>
            navigate(`/review${searchFromFilters({ order: filters.order })}`, {
              replace: true,
            })
          }
        >
          {t("review.queue.clear")}
        </button>
      )}
    </div>
  );
}

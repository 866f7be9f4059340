/**
 * The approved talk tracks (trainers and admins): grouped by wording, with how many of the calls
 * they were approved on were followed by an advance, filterable by outcome ("talk tracks on calls
 * that advanced"). The filter lives in the address.
 */
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import { outcomeFilters } from "./review-types.ts";
import type { ApprovedTalkTrack } from "../../../../core/outcomes/training-signal.ts";

export default function TalkTrackPoolPage() {
  const { t } = useTranslation();
  const format = useFormatters();
  const [search, setSearch] = useSearchParams();
  const outcome = outcomeFilters.find((value) => value === search.get("outcome")) ?? "";
  const { data, error } = useResource<{ talkTracks: Array<Omit<ApprovedTalkTrack, "lastApprovedAt"> & { lastApprovedAt: string }> }>(
    `/api/training/talk-tracks${outcome ? `?outcome=${outcome}` : ""}`,
  );
  return (
    <section data-testid="talk-track-pool">
      <Link href="/review" className="back-link">
        ← {t("review.queue.title")}
      </Link>
      <PageHeader title={t("outcomes.pool.title")} intro={t("outcomes.pool.intro")} />
      <div className="panel filter-bar">
        <label className="field filter">
          <span className="field__label">{t("outcomes.filter.label")}</span>
          <select value={outcome} onChange={(event) => setSearch(event.target.value ? { outcome: event.target.value } : {})} data-testid="pool-outcome">
            <option value="">{t("review.queue.any")}</option>
            {outcomeFilters.map((value) => (
              <option key={value} value={value}>
                {t(`outcomes.filter.values.${value}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error !== null && <ErrorMessage error={error} />}
      {data && data.talkTracks.length === 0 && <p className="muted">{t("outcomes.pool.empty")}</p>}
      {data && data.talkTracks.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("outcomes.pool.columns.suggestion")}</th>
                <th scope="col">{t("outcomes.pool.columns.moment")}</th>
                <th scope="col">{t("outcomes.pool.columns.calls")}</th>
                <th scope="col">{t("outcomes.pool.columns.advanced")}</th>
                <th scope="col">{t("outcomes.pool.columns.last")}</th>
              </tr>
            </thead>
            <tbody>
              {data.talkTracks.map((track) => (
                <tr key={track.suggestion} data-testid="pool-row">
                  <td className="table__primary">
                    <Link href={`/recordings/${track.exampleRecordingId}`}>{track.suggestion}</Link>
                  </td>
                  <td>{t(`review.moments.${track.moment}`, { defaultValue: track.moment })}</td>
                  <td>{format.number(track.calls)}</td>
                  <td>
                    <span className={track.advancedCalls > 0 ? "badge badge--success" : "badge badge--neutral"} data-testid="pool-advanced">
                      {t("outcomes.pool.share", { advanced: track.advancedCalls, calls: track.calls })}
                    </span>
                  </td>
                  <td className="nowrap">{format.date(track.lastApprovedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

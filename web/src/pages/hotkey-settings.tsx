/**
 * Rebinding shortcuts: pick an action, press the new key. A key another action already uses where
 * this one works is refused with a message naming that action (the registry decides; the server
 * validates the saved map again).
 */
import { useEffect, useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../components/error-message.tsx";
import { KeyCombination } from "../components/key-combination.tsx";
import { useHotkeys } from "../hotkeys/hotkeys-context.tsx";
import { formatKey, keyFromEvent } from "../hotkeys/keys.ts";
import type { HotkeyActionId, KeyBindings } from "../hotkeys/registry.ts";
import { defaultBindings, hotkeyActions, hotkeyScopes, rebind } from "../hotkeys/registry.ts";
import { isLocale } from "../i18n/i18n.ts";
import { isMac } from "../components/key-combination.tsx";

type Notice = { tone: "error" | "success"; text: string } | null;

export function HotkeySettings() {
  const { t, i18n } = useTranslation();
  const locale = isLocale(i18n.language) ? i18n.language : "en";
  const { bindings, storage, save } = useHotkeys();
  const [draft, setDraft] = useState<KeyBindings>(bindings);
  const [capturing, setCapturing] = useState<HotkeyActionId | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The key press that ends a capture must not also "click" the button and start a new one (Space
  // activates a focused button on key-up).
  const justCaptured = useRef(false);
  const dirty = hotkeyActions.some((action) => draft[action.id] !== bindings[action.id]);

  // Saved bindings arrive after the page may have rendered: adopt them while nothing is edited.
  useEffect(() => {
    if (!dirty) setDraft(bindings);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bindings]);

  function capture(actionId: HotkeyActionId, event: ReactKeyboardEvent) {
    // Tab still moves focus away (which cancels); every other key is taken as the new binding.
    if (event.key === "Tab") return;
    event.preventDefault();
    event.stopPropagation();
    if (event.key === "Escape") {
      setCapturing(null);
      return;
    }
    const key = keyFromEvent(event.nativeEvent);
    if (key === null) return;
    justCaptured.current = true;
    setCapturing(null);
    const result = rebind(draft, actionId, key);
    if (result.ok) {
      setDraft(result.bindings);
      setNotice(null);
      return;
    }
    const shown = formatKey("key" in result ? result.key : key, { mac: isMac });
    const text =
      result.reason === "conflict"
        ? t("settings.hotkeys.conflict", {
            key: shown,
            action: result.conflictWith.description[locale],
          })
        : result.reason === "reserved-key"
          ? t("settings.hotkeys.reservedKey", { key: shown })
          : t("settings.hotkeys.invalidKey");
    setNotice({ tone: "error", text });
  }

  async function submit() {
    setSaving(true);
    setError(null);
    try {
      await save(draft);
      setNotice({ tone: "success", text: t("settings.saved") });
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="panel" id="shortcuts" data-testid="hotkey-settings">
      <h2 className="panel__title">{t("settings.hotkeys.title")}</h2>
      <p className="muted">{t("settings.hotkeys.intro")}</p>
      {storage === "unavailable" && (
        <p className="message message--info">{t("settings.hotkeys.unavailable")}</p>
      )}
      {notice && (
        <p
          className={`message message--${notice.tone}`}
          role={notice.tone === "error" ? "alert" : "status"}
          data-testid="hotkey-notice"
        >
          {notice.text}
        </p>
      )}
      {hotkeyScopes.map((scope) => (
        <div key={scope} className="hotkey-group">
          <h3>{t(`hotkeys.scopes.${scope}`)}</h3>
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">{t("settings.hotkeys.action")}</th>
                <th scope="col">{t("settings.hotkeys.key")}</th>
              </tr>
            </thead>
            <tbody>
              {hotkeyActions
                .filter((action) => action.scope === scope)
                .map((action) => (
                  <tr
                    key={action.id}
                    data-action={action.id}
                    className={draft[action.id] !== bindings[action.id] ? "row--changed" : ""}
                  >
                    <td>{action.description[locale]}</td>
                    <td>
                      <button
                        type="button"
                        className={`key-button ${capturing === action.id ? "key-button--capturing" : ""}`}
                        data-testid="rebind"
                        aria-label={`${t("settings.hotkeys.change")}: ${action.description[locale]}`}
                        onClick={() => {
                          if (justCaptured.current) return;
                          setNotice(null);
                          setCapturing(action.id);
                        }}
                        onKeyDown={(event) => {
                          if (capturing === action.id) capture(action.id, event);
                        }}
                        onKeyUp={() => {
                          if (justCaptured.current)
                            setTimeout(() => (justCaptured.current = false), 0);
                        }}
                        onBlur={() =>
                          setCapturing((current) => (current === action.id ? null : current))
                        }
                      >
                        {capturing === action.id ? (
                          t("settings.hotkeys.pressKey")
                        ) : (
                          <KeyCombination value={draft[action.id]} />
                        )}
                      </button>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      ))}
      {error !== null && <ErrorMessage error={error} />}
      <div className="toolbar">
        <button
          type="button"
          className="button button--primary"
          onClick={submit}
          disabled={!dirty || saving}
          data-testid="save-hotkeys"
        >
          {saving ? t("common.saving") : t("common.save")}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setDraft(defaultBindings());
            setNotice(null);
          }}
        >
          {t("settings.hotkeys.reset")}
        </button>
        {dirty && <span className="muted">{t("settings.hotkeys.unsaved")}</span>}
      </div>
    </section>
  );
}

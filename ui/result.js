// The Result step: what happened, what next (configuration, folders), the verification
// table, the backup and where the report (JSON and its page) was saved.

import { $, bytes, duration, el, errorBox, plural, thousands } from "./dom.js";
import * as ipc from "./ipc.js";
import { resolvedWords } from "./review.js";
import { policiesCard } from "./tenancy.js";

const OK = "✓";
const BAD = "✗";

const DONE = { copy: "Copied", promote: "Promoted", extract: "Extracted" };

function banner(outcome, job) {
  const r = outcome.report;
  const e = outcome.error;
  switch (r.outcome) {
    case "committed":
      return el("div", { class: "message ok big", role: "status" }, el("strong", {}, `${OK} ${DONE[job] ?? DONE.copy} and verified`), el("p", {}, `Every table was re-read and matches the source. The target was committed in ${duration(r.seconds)}.`));
    case "rolled_back":
      return el("div", { class: "message ok big", role: "status" }, el("strong", {}, `${OK} Dry run passed — nothing was written`), el("p", {}, `The whole copy was made and verified, then rolled back (${duration(r.seconds)}). Run it without “Dry run” to keep it.`));
    case "cancelled":
      return el("div", { class: "message neutral big", role: "status" }, el("strong", {}, "Cancelled — nothing was written"), el("p", {}, "The run was rolled back; the target is exactly as it was before."));
    case "verification_failed":
      return errorBox(e ?? { kind: "verification", message: r.error ?? "verification failed", details: [] }, `${BAD} Verification failed — nothing was committed`);
    default:
      return errorBox(e ?? { kind: "runtime", message: r.error ?? "the run failed", details: [] }, `${BAD} The copy did not finish — nothing was written`);
  }
}

function verificationTable(v) {
  const fk = v.checks.find((c) => c.name === "foreign keys");
  return el(
    "table",
    { class: "verification", id: "verification" },
    el("caption", {}, "Verification"),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "Table"),
        el("th", { scope: "col", class: "num" }, "Source rows"),
        el("th", { scope: "col", class: "num" }, "Target rows"),
        el("th", { scope: "col" }, "Content digest"),
        el("th", { scope: "col" }, "Foreign keys"),
      ),
    ),
    el(
      "tbody",
      {},
      v.tables.map((t) =>
        el(
          "tr",
          { "data-table": t.table, class: t.digest_match ? "" : "bad" },
          el("th", { scope: "row" }, el("code", {}, t.table)),
          el("td", { class: "num" }, thousands(t.source_rows)),
          el("td", { class: "num" }, thousands(t.target_rows)),
          el("td", { class: t.digest_match ? "ok" : "bad", title: `source ${t.source_digest}\ntarget ${t.target_digest}` }, t.digest_match ? `${OK} match` : `${BAD} differs`),
          el("td", { class: fk ? (fk.passed ? "ok" : "bad") : "" }, fk ? (fk.passed ? OK : BAD) : "—"),
        ),
      ),
    ),
  );
}

function differences(v) {
  const rows = v.tables.flatMap((t) => t.differences.map((d) => el("li", {}, el("code", {}, `${t.table} ${d.key}`), ` ${d.kind.replaceAll("_", " ")}${d.detail ? `: ${d.detail}` : ""}`)));
  return rows.length ? el("div", { class: "card" }, el("h3", {}, "First differing rows"), el("ul", {}, rows)) : null;
}

function checks(v) {
  return el(
    "ul",
    { class: "checks", id: "checks", "aria-label": "Checks, including the job’s invariants" },
    v.checks.map((c) => el("li", { class: c.passed ? "ok" : "bad" }, `${c.passed ? OK : BAD} ${c.name}: ${c.detail}`)),
  );
}

function backup(b) {
  if (!b) return null;
  return el(
    "div",
    { class: "card" },
    el("h3", {}, "Backup"),
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "Of"),
      el("dd", {}, el("code", {}, b.of)),
      el("dt", {}, "Saved as"),
      el("dd", {}, el("code", { id: "backup-path" }, b.path)),
      el("dt", {}, "Size"),
      el("dd", {}, bytes(b.bytes)),
      el("dt", {}, "SHA-256"),
      el("dd", {}, el("code", { id: "backup-sha256", class: "hash" }, b.sha256), b.rechecked ? el("span", { class: "hint" }, " (re-read and checked)") : null),
    ),
  );
}

function skipped(report) {
  const resolved = report.findings.filter((f) => f.resolved_by);
  if (!resolved.length) return null;
  return el(
    "div",
    { class: "card" },
    el("h3", {}, "Values handled by your choices"),
    el("ul", {}, resolved.map((f) => el("li", {}, el("code", {}, f.column ? `${f.table}.${f.column}` : f.table), ` — ${plural(f.count, "value")}: ${resolvedWords(f.resolved_by)}`))),
  );
}

/**
 * Promote's temporary admin password, shown once. The page keeps it only in this panel's
 * closure: "I have saved it" removes the panel and drops the text, and nothing else on the
 * page (or in Rust, or on disk) can show it again.
 */
function passwordPanel(outcome, email) {
  let password = outcome.temporary_password;
  outcome.temporary_password = null;
  if (!password) return null;
  const text = el("code", { id: "temporary-password", class: "secret" }, password);
  const copied = el("span", { class: "hint", role: "status", id: "password-copied" });
  const copy = el("button", { type: "button", id: "copy-password" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(password ?? "");
      copied.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard access: select the text so Ctrl+C copies it.
      getSelection().selectAllChildren(text);
      copied.textContent = "Selected: press Ctrl+C to copy.";
    }
  });
  const saved = el("button", { type: "button", class: "primary", id: "password-saved" }, "I have saved it");
  const panel = el(
    "section",
    { class: "card password-panel", id: "password-panel", role: "region", "aria-labelledby": "password-title" },
    el("h3", { id: "password-title" }, "The admin’s temporary password"),
    el("p", {}, "Sign in as ", el("code", {}, email || "the admin"), " with this password and change it. It is shown only now: it is not in the report or in any file."),
    el("div", { class: "row" }, text, copy),
    copied,
    el("div", { class: "actions" }, saved),
  );
  saved.addEventListener("click", () => {
    password = null;
    text.textContent = "";
    panel.remove();
    $("again").focus();
  });
  return panel;
}

/** A button that asks the shell to open something; a refusal or failure is shown beside it. */
function openButton(id, label, what, path, status) {
  const button = el("button", { type: "button", id }, label);
  button.addEventListener("click", async () => {
    status.replaceChildren();
    try {
      await ipc.openPath(what, path);
    } catch (err) {
      status.replaceChildren(errorBox(err, "Cannot open it"));
    }
  });
  return button;
}

/**
 * "What next": the connection string for the app's configuration, the admin who signs in,
 * and the folders. Copy copies what is shown — with the password as *** when there is one:
 * the clipboard is open to every program, so a password never goes there (next_steps.rs).
 */
function whatNext(outcome) {
  const next = outcome.next;
  if (!next) return null;
  const status = el("div", { id: "next-status", role: "status" });
  const copied = el("span", { class: "hint", role: "status", id: "connection-copied" });
  const text = el("code", { id: "next-connection" }, next.connection);
  const copy = el("button", { type: "button", id: "copy-connection" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(next.connection);
      copied.textContent = next.password_masked ? "Copied, with *** where the password goes." : "Copied to the clipboard.";
    } catch {
      getSelection().selectAllChildren(text);
      copied.textContent = "Selected: press Ctrl+C to copy.";
    }
  });
  const label =
    next.kind === "postgres"
      ? "Point your app at the new database (its DATABASE_URL or equivalent):"
      : "Point your app at the new database file:";
  const buttons = [
    next.target_file ? openButton("open-target-folder", "Open the database’s folder", "folder_of", next.target_file, status) : null,
    next.backup_file ? openButton("open-backup-folder", "Open the backup’s folder", "folder_of", next.backup_file, status) : null,
    outcome.report_path ? openButton("open-reports-folder", "Open the reports folder", "folder_of", outcome.report_path, status) : null,
  ].filter(Boolean);
  return el(
    "section",
    { class: "card what-next", id: "what-next", role: "region", "aria-labelledby": "next-title" },
    el("h3", { id: "next-title" }, "What next"),
    el("p", {}, label),
    el("div", { class: "row" }, text, copy),
    copied,
    next.password_masked ? el("p", { class: "hint", id: "next-password-hint" }, "The password is shown and copied as ***: put it in your app’s secret settings, not in a file you share.") : null,
    next.admin_email ? el("p", { id: "next-admin" }, "Sign in as ", el("code", {}, next.admin_email), " with the temporary password above, then change it.") : null,
    buttons.length ? el("div", { class: "button-row" }, buttons) : null,
    status,
  );
}

export function renderResult(outcome, request = {}) {
  const r = outcome.report;
  $("result-banner").replaceChildren(banner(outcome, request.job));
  $("result-password").replaceChildren(...[passwordPanel(outcome, request.promote?.admin_email)].filter(Boolean));
  const reportStatus = el("div", { role: "status" });
  const where = outcome.report_path
    ? el(
        "div",
        {},
        el("p", {}, "The full report was saved to ", el("code", { id: "report-path" }, outcome.report_path), outcome.report_html_path ? ", and as a page to read, print or hand on beside it." : "."),
        outcome.report_html_path ? el("div", { class: "button-row" }, openButton("open-report", "Open the report", "report", outcome.report_html_path, reportStatus)) : null,
        reportStatus,
      )
    : errorBox(outcome.save_error, "The report could not be saved");
  const parts = [
    whatNext(outcome),
    r.verification ? el("div", { class: "card" }, verificationTable(r.verification), checks(r.verification)) : null,
    r.verification ? differences(r.verification) : null,
    policiesCard(r.tenancy),
    backup(r.backup),
    skipped(r),
    el("div", { class: "card" }, el("p", {}, `Time taken: ${duration(r.seconds)}.`), where),
  ];
  $("result-body").replaceChildren(...parts.filter(Boolean));
}

// Ferry's page: plain ES modules, no bundler. The steps of a Copy — source and target, job,
// review, backup, progress, result — over the Rust shell's commands (ipc.js).

import { $, bytes, el, errorBox, plural } from "./dom.js";
import * as ipc from "./ipc.js";
import { readJob, showJob, wireJobForms } from "./jobs.js";
import { locationForm } from "./locations.js";
import { ProgressView } from "./progress.js";
import { renderResult } from "./result.js";
import { renderReview } from "./review.js";

const STEPS = ["locations", "job", "review", "backup", "progress", "result"];

/** What the person chose so far: becomes the shell's RunRequest (src-tauri/request.rs). */
let request = freshRequest();
/** The last plan the engine made for `request`. */
let review = null;
let info = null;

function freshRequest() {
  return {
    job: "copy",
    schema: "public",
    into_existing: false,
    append: false,
    conventions: "auto",
    replace: [],
    exclude: [],
    source_timezone: "UTC",
    dst: { gap: "reject", fold: "reject" },
    epochs: [],
    policies: [],
    type_overrides: [],
    dry_run: false,
    backup: "default",
  };
}

const schema = () => $("schema").value.trim() || "public";
const source = locationForm($("loc-source"), "source", schema);
const target = locationForm($("loc-target"), "target", schema);

// A file dropped from the file manager onto the source or the target fills that side. The
// webview reports drops itself (Tauri's drag-drop event, positions in physical pixels);
// HTML drop events never see the file's path.
function dropZoneAt(position) {
  if (document.body.dataset.step !== "locations" || !position) return null;
  const ratio = window.devicePixelRatio || 1;
  const hit = document.elementFromPoint(position.x / ratio, position.y / ratio);
  const zone = hit?.closest("#loc-source, #loc-target");
  return zone ? { zone, form: zone.id === "loc-source" ? source : target } : null;
}

function watchDrops() {
  const webview = window.__TAURI__?.webview?.getCurrentWebview?.();
  if (!webview) return;
  const clear = () => document.querySelectorAll(".drop-over").forEach((z) => z.classList.remove("drop-over"));
  webview.onDragDropEvent((event) => {
    const e = event.payload;
    clear();
    const at = dropZoneAt(e.position);
    if (!at) return;
    if (e.type === "enter" || e.type === "over") at.zone.classList.add("drop-over");
    else if (e.type === "drop" && e.paths?.length) at.form.useFile(e.paths[0], "Dropped file: check that it is the database you mean.");
  }).catch(() => {
    // Dropping is a convenience: without it, Browse… and pasting a path still work.
  });
}

function go(step) {
  for (const name of STEPS) {
    $(`step-${name}`).hidden = name !== step;
  }
  const index = STEPS.indexOf(step);
  document.querySelectorAll(".steps li").forEach((li, i) => {
    li.classList.toggle("done", i < index);
    if (i === index) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  });
  document.body.dataset.step = step;
  $(`h-${step}`).focus();
}

// --- 1. Source and target -----------------------------------------------------------------

$("locations-next").addEventListener("click", () => {
  const chosen = source.value();
  // Tables switched to Shared belong to the source they were chosen for.
  if (request.promote && JSON.stringify(chosen) !== JSON.stringify(request.source)) request.promote.shared_tables = [];
  request.source = chosen;
  request.target = target.value();
  go("job");
  showJob(request.source, schema());
  showFramework();
});
wireJobForms(() => request.source, schema);
// Promote's naive timestamps were most likely written on this machine: preset its zone,
// unless the person already chose one.
$("timezone").addEventListener("input", () => ($("timezone").dataset.touched = "yes"));
$("job-promote").addEventListener("change", () => {
  if (info && !$("timezone").dataset.touched) $("timezone").value = info.local_time_zone;
});

// --- 2. Job -------------------------------------------------------------------------------

$("into-existing").addEventListener("change", () => {
  $("append").disabled = !$("into-existing").checked;
  if ($("append").disabled) $("append").checked = false;
  // Replacing rows needs tables that exist; the names typed stay for when it is ticked again.
  $("replace").disabled = !$("into-existing").checked;
  showFramework();
});
$("conventions").addEventListener("change", () => showFramework());
$("schema").addEventListener("change", () => showFramework());

/** The Job step's framework and convention fields, as the request takes them. */
function readFramework(into) {
  into.schema = schema();
  into.into_existing = $("into-existing").checked;
  into.conventions = $("conventions").value;
  into.replace = into.into_existing
    ? $("replace")
        .value.split(",")
        .map((t) => t.trim())
        .filter(Boolean)
    : [];
}

/** Asks the shell which framework the two databases belong to (src-tauri/framework.rs). */
let frameworkAsked = 0;
async function showFramework() {
  const asked = ++frameworkAsked;
  const line = $("framework-line");
  line.classList.add("pending");
  line.textContent = "Looking for a framework’s bookkeeping table in the databases…";
  const probe = { ...request };
  readFramework(probe);
  try {
    const view = await ipc.detectFramework(probe);
    if (asked !== frameworkAsked) return;
    line.textContent = view.line;
    line.dataset.convention = view.convention;
    line.classList.remove("pending");
  } catch (err) {
    if (asked !== frameworkAsked) return;
    delete line.dataset.convention;
    line.textContent = `Framework: not known yet (${err?.message ?? err}). The Review step checks both databases again.`;
  }
}
$("use-local-zone").addEventListener("click", () => {
  if (info) $("timezone").value = info.local_time_zone;
});
$("job-back").addEventListener("click", () => go("locations"));
$("job-next").addEventListener("click", () => {
  request.source_timezone = $("timezone").value.trim() || "UTC";
  readFramework(request);
  // Type choices shape new tables only; an existing table's columns keep their types.
  if (request.into_existing) request.type_overrides = [];
  request.append = $("append").checked;
  readJob(request);
  go("review");
  makePlan();
});

// --- 3. Review ----------------------------------------------------------------------------

let planning = false;
let planAgain = false;

/** Plans `request`; true when the engine answered with a plan. */
async function makePlan() {
  planning = true;
  $("review-busy").hidden = false;
  $("review-busy-text").textContent = "Reading both databases and checking every value…";
  $("review-error").replaceChildren();
  setReviewBlocked(null);
  $("review-next").disabled = true;
  $("review-again").disabled = true;
  document.body.classList.add("busy");
  try {
    review = await ipc.plan(request, (e) => {
      if (e.event === "table_started" && e.phase === "preflight") {
        $("review-busy-text").textContent = `Checking every value of ${e.table}…`;
      }
    });
    renderReview($("review-body"), review, request, replan);
    setReviewBlocked(review.blocking);
    return true;
  } catch (err) {
    review = null;
    $("review-body").replaceChildren();
    $("review-error").replaceChildren(errorBox(err, err?.kind === "cancelled" ? "Cancelled" : undefined));
    return false;
  } finally {
    planning = false;
    $("review-busy").hidden = true;
    $("review-again").disabled = false;
    document.body.classList.remove("busy");
  }
}

/** Plans, then plans again as long as choices changed while it ran. */
async function makePlanUntilSettled() {
  let ok;
  do {
    planAgain = false;
    ok = await makePlan();
  } while (planAgain);
  return ok;
}

/** A choice on the Review step changed the request: plan again so the engine judges it. */
async function replan(mutate) {
  const before = structuredClone(request);
  mutate(request);
  if (JSON.stringify(before) === JSON.stringify(request)) return;
  if (planning) {
    // A change while the engine is still planning: plan once more when it is done.
    planAgain = true;
    return;
  }
  const lastGood = review;
  if (await makePlanUntilSettled()) return;
  // The engine refused the change: undo it, so the person is never stuck with a request
  // that cannot plan, and show the last good plan under the error.
  request = before;
  review = lastGood;
  if (review) {
    renderReview($("review-body"), review, request, replan);
    setReviewBlocked(review.blocking);
  }
  const error = $("review-error").firstChild;
  if (error) error.querySelector("strong").textContent = "That choice cannot be used; it was undone";
}

/** What resolves the blocking findings: choices about values, or (Promote) about tables. */
function blockedAdvice() {
  const kinds = new Set(review?.plan.findings.filter((f) => f.severity === "blocking" && !f.resolved_by).map((f) => f.kind));
  const classification = kinds.has("shared_references_owned");
  if (classification && kinds.size === 1) return "switch tables to Owned or Shared under “Who owns what”, or pick one of the choices.";
  return "choose how Ferry should handle the values above, or fix the data in the source and press “Check again”.";
}

function setReviewBlocked(blocking) {
  const line = $("review-blocked");
  const next = $("review-next");
  if (blocking === null) {
    line.hidden = true;
    return;
  }
  next.disabled = blocking > 0;
  line.hidden = blocking === 0;
  line.textContent =
    blocking > 0
      ? `${plural(blocking, "finding")} must be resolved before copying: ${blockedAdvice()} Nothing has been written.`
      : "";
}

$("review-cancel").addEventListener("click", () => ipc.cancelRun());
$("review-again").addEventListener("click", () => makePlan());
$("review-back").addEventListener("click", () => {
  if (planning) ipc.cancelRun();
  go("job");
});
$("review-next").addEventListener("click", () => {
  renderBackup();
  go("backup");
});

// --- 4. Backup ----------------------------------------------------------------------------

function renderBackup() {
  const b = review.backup;
  const body = $("backup-body");
  if (!b.needed) {
    const summary = b.summary.charAt(0).toUpperCase() + b.summary.slice(1);
    body.replaceChildren(el("h3", {}, "Backup"), el("p", { id: "backup-summary" }, `${summary}.`));
    request.backup = "default";
  } else {
    const yes = el("input", { type: "radio", name: "backup", id: "backup-yes", value: "default", checked: request.backup !== "skip" });
    const no = el("input", { type: "radio", name: "backup", id: "backup-no", value: "skip", checked: request.backup === "skip" });
    const warn = el("p", { class: "message warning", id: "backup-warning", hidden: request.backup !== "skip" }, "Without a backup, the file Ferry replaces cannot be recovered from Ferry. Choose this only if you have your own copy.");
    const update = () => {
      request.backup = no.checked ? "skip" : "default";
      warn.hidden = !no.checked;
    };
    yes.addEventListener("change", update);
    no.addEventListener("change", update);
    body.replaceChildren(
      el("h3", {}, "Backup"),
      el("p", { id: "backup-summary" }, "Ferry will replace ", el("code", {}, b.of), ` (${bytes(b.bytes)}). Before writing, it copies it with SQLite’s backup API into `, el("code", {}, b.folder), ", records its SHA-256 and re-reads it to check it."),
      el(
        "fieldset",
        { class: "plain" },
        el("legend", { class: "sr-only" }, "Backup choice"),
        el("label", { class: "check" }, yes, "Back up the existing file first (recommended)"),
        el("label", { class: "check" }, no, "Do not back up: I have my own backup"),
      ),
      warn,
    );
  }
  $("backup-replaced").replaceChildren(...replacedRows(review.replaced ?? []));
  $("backup-effects").replaceChildren(...b.effects.map((e) => el("li", {}, e)));
  $("dry-run").checked = request.dry_run;
  updateStartLabel();
}

/** The target rows the run deletes and loads from the source, table by table. */
function replacedRows(replaced) {
  if (!replaced.length) return [];
  return [
    el(
      "div",
      { class: "message warning", id: "replaced-rows" },
      el("strong", {}, "These target rows will be replaced"),
      el("p", {}, "Deleted and loaded from the source, keeping the source’s ids, in the same transaction as every other row: a failure or a cancel puts them back."),
      el(
        "ul",
        { class: "replaced" },
        replaced.map((r) => el("li", { "data-table": r.table }, el("code", {}, r.table), `: the target’s ${plural(r.target_rows, "row")} now → the source’s ${plural(r.source_rows, "row")}`)),
      ),
    ),
  ];
}

function updateStartLabel() {
  request.dry_run = $("dry-run").checked;
  const job = { copy: "copy", promote: "Promote", extract: "Extract" }[request.job] ?? "copy";
  $("start").textContent = request.dry_run ? "Start dry run" : `Start ${job}`;
}

$("dry-run").addEventListener("change", updateStartLabel);
$("backup-back").addEventListener("click", () => go("review"));
$("start").addEventListener("click", () => startRun());

// --- 5. Progress --------------------------------------------------------------------------

async function startRun() {
  if (!review || review.blocking > 0) return;
  const view = new ProgressView(review.plan.tables, request.dry_run);
  $("cancel").disabled = false;
  $("cancel").textContent = "Cancel";
  go("progress");
  let outcome;
  try {
    outcome = await ipc.startRun(request, (e) => view.onEvent(e));
  } catch (err) {
    outcome = { report: { outcome: "failed", seconds: 0, findings: [] }, error: err, report_path: null, report_html_path: null, next: null, save_error: null };
  }
  renderResult(outcome, request);
  go("result");
}

$("cancel").addEventListener("click", async () => {
  $("cancel").disabled = true;
  $("cancel").textContent = "Cancelling…";
  $("phase").textContent = "Cancelling: rolling back, nothing will be written…";
  await ipc.cancelRun();
});

// --- 6. Result ----------------------------------------------------------------------------

$("again").addEventListener("click", async () => {
  const keep = { source: request.source, target: request.target };
  request = { ...freshRequest(), ...keep };
  review = null;
  $("review-body").replaceChildren();
  await loadRecent();
  go("locations");
});

// --- Start --------------------------------------------------------------------------------

async function loadRecent() {
  try {
    const recent = await ipc.recentLocations();
    source.setRecent(recent);
    target.setRecent(recent);
  } catch {
    // Recent choices are a convenience; without them the forms still work.
  }
}

async function start() {
  try {
    info = await ipc.appInfo();
    $("version").textContent = `Ferry ${info.engine_version}`;
    $("timezones").replaceChildren(...info.time_zones.map((z) => el("option", { value: z })));
    $("use-local-zone").textContent = `Use this computer’s zone (${info.local_time_zone})`;
    if (info.open_with) source.useFile(info.open_with, "Opened with Ferry: this file is the source.");
  } catch (err) {
    $("version").textContent = `Not connected to the Ferry shell: ${err.message ?? err}`;
  }
  await loadRecent();
  watchDrops();
  go("locations");
}

start();

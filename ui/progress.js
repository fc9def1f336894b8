// The Progress step: the engine's events (over the Tauri Channel) become one bar per table
// and an overall bar, with rows, rows per second and the time left.

import { $, duration, el, thousands } from "./dom.js";

const PHASE_WORDS = {
  connect: "Connecting to both databases…",
  introspect: "Reading the schemas…",
  plan: "Planning the target schema…",
  // In a run the values are checked as they are copied; this phase is the checks before
  // writing, or — after a value stopped the copy — the scan that names every finding.
  preflight: "Checking the data (preflight)…",
  backup: "Backing up the target…",
  schema: "Creating the tables…",
  copy: "Copying rows…",
  indexes: "Building keys and indexes…",
  constraints: "Adding foreign keys…",
  sequences: "Setting sequences…",
  verify: "Verifying every table (re-reading the target)…",
  commit: "Committing…",
};

/** Rows per second over the last few seconds, so the rate follows the current speed. */
class Rate {
  constructor() {
    this.samples = [];
  }
  add(rows) {
    const now = performance.now() / 1000;
    this.samples.push([now, rows]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5) this.samples.shift();
  }
  perSecond() {
    if (this.samples.length < 2) return null;
    const [t0, r0] = this.samples[0];
    const [t1, r1] = this.samples[this.samples.length - 1];
    return t1 > t0 ? (r1 - r0) / (t1 - t0) : null;
  }
}

function rateText(done, total, rate) {
  const parts = [`${thousands(done)}${total ? ` of ${thousands(total)}` : ""} rows`];
  if (rate) parts.push(`${thousands(Math.round(rate))} rows/s`);
  if (rate && total && total > done) parts.push(`about ${duration((total - done) / rate)} left`);
  return parts.join(" · ");
}

export class ProgressView {
  /** `tables`: the plan's tables in load order ({target_table, rows}). */
  constructor(tables, dryRun) {
    this.tables = new Map();
    this.expected = 0;
    this.overallRate = new Rate();
    this.list = $("table-bars");
    this.list.replaceChildren();
    $("h-progress").textContent = dryRun ? "Dry run: copying, then rolling back…" : "Copying…";
    $("phase").textContent = "Starting…";
    $("overall-bar").value = 0;
    $("overall-bar").max = 1;
    $("overall-text").textContent = "";
    tables.forEach((t, i) => {
      const barId = `bar-${i}`;
      const bar = el("progress", { id: barId, max: String(Math.max(t.rows ?? 0, 1)), value: "0" });
      const text = el("span", { class: "hint" }, "waiting");
      const state = el("span", { class: "table-state", "aria-hidden": "true" }, "");
      const item = el("li", { "data-table": t.target_table }, el("label", { for: barId }, state, el("code", {}, t.target_table)), bar, text);
      this.list.append(item);
      this.tables.set(t.target_table, { total: t.rows ?? 0, done: 0, bar, text, state, item, rate: new Rate() });
      this.expected += t.rows ?? 0;
    });
    $("overall-bar").max = Math.max(this.expected, 1);
  }

  copied() {
    let sum = 0;
    for (const t of this.tables.values()) sum += t.done;
    return sum;
  }

  updateOverall() {
    const done = this.copied();
    this.overallRate.add(done);
    $("overall-bar").value = done;
    $("overall-text").textContent = rateText(done, this.expected, this.overallRate.perSecond());
  }

  /** One engine event (progress::Event, tagged by `event`). */
  onEvent(e) {
    if (e.event === "phase_started") {
      $("phase").textContent = PHASE_WORDS[e.phase] ?? `${e.phase}…`;
      return;
    }
    if (e.event === "warning") return;
    const t = this.tables.get(e.table);
    if (!t) return;
    if (e.phase === "copy") {
      if (e.event === "table_started") {
        t.text.textContent = "starting";
        t.item.classList.add("active");
      } else if (e.event === "table_progress" || e.event === "table_finished") {
        t.done = e.rows;
        t.rate.add(e.rows);
        t.bar.max = Math.max(t.total, e.rows, 1);
        t.bar.value = e.rows;
        if (e.event === "table_finished") {
          t.item.classList.remove("active");
          t.item.classList.add("copied");
          t.state.textContent = "✓ ";
          t.text.textContent = `${thousands(e.rows)} rows copied in ${duration(e.seconds)}`;
        } else {
          t.text.textContent = rateText(e.rows, t.total, t.rate.perSecond());
        }
        this.updateOverall();
      }
    } else if (e.phase === "verify" && e.event === "table_finished") {
      t.text.textContent = `${thousands(e.rows)} rows copied and re-read for verification`;
    }
  }
}

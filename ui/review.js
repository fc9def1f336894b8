// The Review step: findings grouped by severity (with the choices that resolve them), the
// tables with their row counts and include boxes, and each column's source → target type.

import { el, plural, thousands } from "./dom.js";
import { setShared, tenancySection } from "./tenancy.js";

/** Tables seen in any plan of this session, so an excluded table can be ticked again. */
const knownTables = new Map();

/** Whether `action` is what `request` currently asks for. */
function isActive(action, request) {
  switch (action.kind) {
    case "policy":
      return request.policies.some((c) => c.table === action.table && c.column === action.column && c.value === action.value);
    case "epoch":
      return request.epochs.some((c) => c.table === action.table && c.column === action.column && c.value === action.value);
    case "dst_gap":
      return request.dst.gap === action.value;
    case "dst_fold":
      return request.dst.fold === action.value;
    case "exclude":
      return request.exclude.includes(action.table);
    case "shared":
      return (request.promote?.shared_tables ?? []).includes(action.table) === action.shared;
    default:
      return false;
  }
}

/** Applies `action` (or, with null, undoes every choice of `choices`) to `request`. */
export function applyChoice(request, choices, action) {
  for (const c of choices) {
    const a = c.action;
    if (a.kind === "policy") request.policies = request.policies.filter((p) => !(p.table === a.table && p.column === a.column));
    if (a.kind === "epoch") request.epochs = request.epochs.filter((p) => !(p.table === a.table && p.column === a.column));
    if (a.kind === "dst_gap") request.dst.gap = "reject";
    if (a.kind === "dst_fold") request.dst.fold = "reject";
    if (a.kind === "exclude") request.exclude = request.exclude.filter((t) => t !== a.table);
    // A class choice is undone by the opposite switch (the finding's tables as they were).
    if (a.kind === "shared") setShared(request, a.table, !a.shared);
  }
  if (!action) return;
  const { kind, table, column, value } = action;
  if (kind === "policy") request.policies.push({ table, column, value });
  if (kind === "epoch") request.epochs.push({ table, column, value });
  if (kind === "dst_gap") request.dst.gap = value;
  if (kind === "dst_fold") request.dst.fold = value;
  if (kind === "exclude") request.exclude.push(table);
  if (kind === "shared") setShared(request, table, action.shared);
}

function samplesTable(finding) {
  if (!finding.samples.length) return null;
  const hasValue = finding.samples.some((s) => s.value !== "");
  return el(
    "table",
    { class: "samples" },
    el("caption", { class: "sr-only" }, "Offending rows"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Row"), hasValue ? el("th", { scope: "col" }, "Value") : null, el("th", { scope: "col" }, "Problem"))),
    el(
      "tbody",
      {},
      finding.samples.map((s) => el("tr", {}, el("td", {}, el("code", {}, s.key || "—")), hasValue ? el("td", {}, el("code", {}, s.value)) : null, el("td", {}, s.detail))),
    ),
  );
}

/** A card's words: most findings are about values; Promote's are about the classification. */
function cardWords(finding) {
  if (finding.kind === "shared_references_owned") {
    return { stop: "Stop: I will change the classification myself", ask: "Which table should change?", counted: "row" };
  }
  return { stop: "Stop: I will fix the data in the source first", ask: "How should Ferry handle these values?", counted: "value" };
}

function findingCard(finding, index, choices, request, onChange) {
  const id = `finding-${index}`;
  const words = cardWords(finding);
  const blocking = finding.severity === "blocking" && !finding.resolved_by;
  let control = null;
  if (choices.length) {
    const active = choices.findIndex((c) => isActive(c.action, request));
    const select = el(
      "select",
      { id: `${id}-choice`, "data-finding-kind": finding.kind },
      el("option", { value: "" }, words.stop),
      choices.map((c, i) => el("option", { value: String(i), selected: i === active }, c.label)),
    );
    select.addEventListener("change", () => onChange((request) => applyChoice(request, choices, select.value === "" ? null : choices[Number(select.value)].action)));
    control = el("div", { class: "field" }, el("label", { for: `${id}-choice` }, words.ask), select);
  } else if (blocking) {
    control = el("p", { class: "hint" }, "Fix the data in the source, then press “Check again”.");
  }
  const where = finding.column ? `${finding.table}.${finding.column}` : finding.table;
  return el(
    "article",
    { class: `finding ${blocking ? "blocking" : finding.resolved_by ? "resolved" : finding.severity}`, id, "aria-labelledby": `${id}-title` },
    el("h4", { id: `${id}-title` }, el("code", {}, where), " — ", plural(finding.count, words.counted)),
    el("p", {}, finding.message),
    finding.resolved_by ? el("p", { class: "resolved-by" }, `✓ Resolved: ${resolvedWords(finding.resolved_by)}`) : null,
    samplesTable(finding),
    control,
  );
}

/** What a policy did to the values it resolved, in words. */
export function resolvedWords(policy) {
  return { null: "stored as NULL", "skip-row": "rows left out (the report lists them)", "as-text": "kept as text (the column is text)" }[policy] ?? policy;
}

function group(title, cls, items) {
  if (!items.length) return null;
  return el("section", { class: `finding-group ${cls}` }, el("h3", {}, title, " ", el("span", { class: "count" }, `(${items.length})`)), items);
}

function findingsSection(review, request, onChange) {
  const cards = { blocking: [], resolved: [], warning: [], info: [] };
  review.plan.findings.forEach((f, i) => {
    const card = findingCard(f, i, review.choices[i], request, onChange);
    if (f.resolved_by) cards.resolved.push(card);
    else if (f.severity === "blocking") cards.blocking.push(card);
    else cards[f.severity].push(card);
  });
  const warnings = review.plan.warnings.map((w) => el("li", {}, w));
  // The framework the engine found, and the tables whose target rows the source's replace.
  const fw = review.plan.framework;
  // The replaced tables have their own card (replacedSection); the framework's words name
  // the page's field where the engine's name the CLI's flag.
  const because = fw?.because.startsWith("--conventions") ? "chosen under “Storage convention”" : fw?.because;
  const notes = [
    ...(fw ? [el("li", { id: "framework-note" }, `Framework: ${fw.convention} conventions (${because})`)] : []),
    ...(fw ? fw.kept.map((t) => el("li", {}, `Kept as the target has it: ${t}`)) : []),
    ...review.plan.skipped_tables.map((t) => el("li", {}, `Left out: ${t}`)),
    ...review.plan.not_migrated.map((t) => el("li", {}, `Not copied: ${t}`)),
  ];
  return el(
    "div",
    { class: "findings" },
    group("Must be resolved before copying", "blocking", cards.blocking),
    group("Resolved by your choices", "resolved", cards.resolved),
    group("Warnings", "warning", [...cards.warning, warnings.length ? el("ul", { class: "plain" }, warnings) : null].filter(Boolean)),
    group("Notes", "info", [...cards.info, notes.length ? el("ul", { class: "plain" }, notes) : null].filter(Boolean)),
  );
}

/** The tables whose target rows the source's replace, each with why (src-tauri/review.rs). */
function replacedSection(review) {
  if (!review.replaced?.length) return null;
  return el(
    "section",
    { class: "card", id: "replaced" },
    el("h3", {}, "Tables whose target rows are replaced"),
    el("p", { class: "hint" }, "The target’s rows are deleted and the source’s loaded with their ids, in the same transaction as every other row. The Backup step says how many rows each has now."),
    el(
      "ul",
      { class: "plain replaced", id: "replaced-tables" },
      review.replaced.map((r) => el("li", { "data-table": r.table }, el("code", {}, r.table), ` (${plural(r.source_rows, "row")} from the source) — ${r.why}`)),
    ),
  );
}

/** PostgreSQL type names offered for "Change type" (any name PostgreSQL knows works). */
const TYPE_NAMES = ["text", "varchar(255)", "integer", "bigint", "numeric(12,2)", "double precision", "boolean", "date", "timestamp", "timestamptz", "uuid", "json", "jsonb", "bytea", "text[]"];

/** A field to give a column another target type (the CLI's --type); empty = the default. */
function typeOverride(table, column, request, onChange) {
  const current = request.type_overrides.find((o) => o.table === table && o.column === column);
  const input = el("input", {
    type: "text",
    class: "type-override",
    list: "type-names",
    value: current?.value ?? "",
    placeholder: "default",
    "aria-label": `Target type for ${table}.${column} (PostgreSQL name; empty for the default)`,
    spellcheck: "false",
    autocomplete: "off",
  });
  input.addEventListener("change", () =>
    onChange((r) => {
      r.type_overrides = r.type_overrides.filter((o) => !(o.table === table && o.column === column));
      const value = input.value.trim();
      if (value) r.type_overrides.push({ table, column, value });
    }),
  );
  return input;
}

function columnsTable(table, createsSchema, request, onChange) {
  return el(
    "table",
    { class: "columns" },
    el("caption", { class: "sr-only" }, `Columns of ${table.source_table}`),
    el("thead", {}, el("tr", {}, ["Column", "Source type", "", "Target type", "Why", createsSchema ? "Change type" : null].filter((h) => h !== null).map((h) => el("th", { scope: "col" }, h)))),
    el(
      "tbody",
      {},
      table.columns.map((c) =>
        el(
          "tr",
          {},
          el("td", {}, el("code", {}, c.target)),
          el("td", {}, el("code", {}, c.source_type || "—")),
          el("td", { "aria-hidden": "true" }, "→"),
          el("td", {}, el("code", {}, c.target_type)),
          el("td", { class: "hint" }, c.rule),
          createsSchema ? el("td", {}, c.source ? typeOverride(table.source_table, c.source, request, onChange) : null) : null,
        ),
      ),
    ),
  );
}

function tablesSection(review, request, onChange) {
  for (const t of review.plan.tables) knownTables.set(t.source_table, t);
  const included = new Set(review.plan.tables.map((t) => t.source_table));
  const rows = [...knownTables.values()]
    .filter((t) => included.has(t.source_table) || request.exclude.includes(t.source_table))
    .map((t, i) => {
      const id = `include-${i}`;
      const box = el("input", { type: "checkbox", id, checked: included.has(t.source_table), "data-table": t.source_table });
      box.addEventListener("change", () =>
        onChange((r) => {
          r.exclude = box.checked ? r.exclude.filter((x) => x !== t.source_table) : [...r.exclude, t.source_table];
          // A table left out is neither owned nor shared: Promote refuses a shared name it
          // does not migrate.
          if (!box.checked && r.promote) setShared(r, t.target_table, false);
        }),
      );
      const target = t.target_table === t.source_table ? "" : ` → ${t.target_table}`;
      return el(
        "li",
        { class: "table-item", "data-table": t.source_table },
        el(
          "div",
          { class: "table-head" },
          box,
          el("label", { for: id }, el("code", {}, t.source_table), target, " ", el("span", { class: "hint" }, `${thousands(t.rows)} rows`)),
          el("span", { class: "hint" }, t.create ? "new table" : "existing table"),
        ),
        el(
          "details",
          { open: request.type_overrides.some((o) => o.table === t.source_table) },
          el("summary", {}, `${plural(t.columns.length, "column")}: types`),
          columnsTable(t, review.plan.mode === "create_schema", request, onChange),
        ),
      );
    });
  return el("section", { class: "card" }, el("h3", {}, "Tables, in load order"), el("ul", { class: "tables" }, rows));
}

/** Renders the review into `container`; `onChange(mutate)` re-plans with a changed request. */
export function renderReview(container, review, request, onChange) {
  const plan = review.plan;
  const total = plan.tables.reduce((sum, t) => sum + (t.rows ?? 0), 0);
  const summary = el(
    "div",
    { class: "card summary" },
    el("p", {}, el("strong", {}, "From "), el("code", {}, plan.source)),
    el("p", {}, el("strong", {}, "To "), el("code", {}, plan.target)),
    el("p", { class: "hint" }, `${plural(plan.tables.length, "table")}, ${thousands(total)} rows · ${plan.mode === "create_schema" ? "Ferry creates the tables" : "into tables that already exist"}`),
  );
  const typeNames = el("datalist", { id: "type-names" }, TYPE_NAMES.map((t) => el("option", { value: t })));
  const parts = [summary, findingsSection(review, request, onChange), replacedSection(review), tenancySection(plan, request, onChange), tablesSection(review, request, onChange), typeNames];
  container.replaceChildren(...parts.filter(Boolean));
}

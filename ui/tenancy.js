// Promote's multi-user shape (the engine's `Tenancy`, crates/engine/src/model/tenancy.rs):
// on the Review step, each table's class with a switch Owned/Shared and the uniques scoped by
// owner; on the Result step, the row-level-security policies that were created.

import { el, plural } from "./dom.js";

const CLASS_WORDS = { owned: "Owned", shared: "Shared", users: "Users table" };

/** The engine's reasons name CLI flags; the page names what the person did instead. */
const REASON_WORDS = { "--shared": "you switched it to Shared" };

/** Adds or removes `table` from the request's shared tables (the CLI's --shared). */
export function setShared(request, table, shared) {
  request.promote ??= {};
  const others = (request.promote.shared_tables ?? []).filter((t) => t !== table);
  request.promote.shared_tables = shared ? [...others, table] : others;
}

function classSwitch(t, i, onChange) {
  const name = `tenancy-${i}`;
  const radio = (value, label) => {
    const input = el("input", { type: "radio", name, id: `${name}-${value}`, value, checked: t.class === value, "data-table": t.table });
    input.addEventListener("change", () => onChange((r) => setShared(r, t.table, value === "shared")));
    return el("label", {}, input, label);
  };
  return el("div", { class: "segmented small", role: "radiogroup", "aria-label": `Who the rows of ${t.table} belong to` }, radio("owned", "Owned"), radio("shared", "Shared"));
}

function tableRow(t, i, onChange) {
  // The users table is what the others are owned by: it has no switch.
  const control = t.class === "users" ? null : classSwitch(t, i, onChange);
  const suggestion =
    t.suggest_shared && t.class === "owned"
      ? el("p", { class: "suggestion", id: `tenancy-${i}-suggestion` }, el("strong", {}, "Looks shared: "), t.suggest_shared, ". Switch it to Shared if every user should read the same rows.")
      : null;
  return el(
    "li",
    { class: "tenancy-item", "data-table": t.table, "data-class": t.class },
    el("div", { class: "table-head" }, el("code", {}, t.table), el("span", { class: `class-badge ${t.class}` }, CLASS_WORDS[t.class] ?? t.class), el("span", { class: "spacer" }), control),
    el("p", { class: "hint reason" }, `Why: ${REASON_WORDS[t.reason] ?? t.reason}`),
    suggestion,
  );
}

function columns(list) {
  return `UNIQUE (${list.join(", ")})`;
}

function scopedUniques(tenancy, request) {
  const items = tenancy.scoped_uniques.map((u) =>
    el("li", { "data-table": u.table }, el("code", {}, u.table), ": ", el("code", {}, columns(u.before)), " → ", el("code", {}, columns(u.after)), " ", el("span", { class: "hint" }, u.name)),
  );
  const none = request.promote?.keep_global_uniques
    ? "Uniques stay global, as you chose on the Job step: two users cannot share a value of a unique column."
    : "No owned table has a unique constraint besides its primary key.";
  return el(
    "div",
    {},
    el("h4", {}, "Uniques scoped by owner"),
    items.length ? el("p", { class: "hint" }, "Each user gets their own namespace: two users may both have a row with the same value.") : null,
    items.length ? el("ul", { class: "plain", id: "scoped-uniques" }, items) : el("p", { class: "hint", id: "scoped-uniques" }, none),
  );
}

/** The Review step's "Who owns what" card, or null when the plan is not a Promote. */
export function tenancySection(plan, request, onChange) {
  const tenancy = plan.tenancy;
  if (!tenancy) return null;
  const policies = tenancy.policies.length
    ? el("p", { class: "hint", id: "planned-policies" }, `Row-level security: ${plural(tenancy.policies.length, "policy", "policies")} will be created; the Result step lists them.`)
    : null;
  return el(
    "section",
    { class: "card", id: "tenancy" },
    el("h3", {}, "Who owns what"),
    el("p", { class: "hint" }, "Owned tables get the owner column: each row belongs to one user. Shared tables hold reference data every user reads (categories, currencies) and get no owner."),
    el("ul", { class: "tables", id: "tenancy-tables" }, tenancy.tables.map((t, i) => tableRow(t, i, onChange))),
    scopedUniques(tenancy, request),
    policies,
  );
}

/** The Result step's list of row-level-security policies, each one's SQL folded away. */
export function policiesCard(tenancy) {
  if (!tenancy?.policies.length) return null;
  const owned = tenancy.tables.filter((t) => t.class === "owned").map((t) => t.table);
  const shared = tenancy.tables.filter((t) => t.class === "shared").map((t) => t.table);
  return el(
    "section",
    { class: "card", id: "policies", role: "region", "aria-labelledby": "policies-title" },
    el("h3", { id: "policies-title" }, "Row-level security"),
    el("p", {}, `${plural(tenancy.policies.length, "policy", "policies")} created. Owned: ${owned.join(", ") || "none"}. Shared (readable by all): ${shared.join(", ") || "none"}.`),
    el(
      "ul",
      { class: "plain policies" },
      tenancy.policies.map((p) =>
        el("li", { "data-table": p.table }, el("details", {}, el("summary", {}, el("code", {}, p.table), " — ", el("code", {}, p.name)), el("pre", { class: "sql" }, el("code", {}, p.sql)))),
      ),
    ),
  );
}

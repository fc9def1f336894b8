// The Job step's forms: Copy / Promote / Extract, and Extract's searchable user list.
// `readJob(request)` writes the chosen job's fields into the RunRequest (src-tauri/request.rs).

import { $, el, errorBox, plural } from "./dom.js";
import * as ipc from "./ipc.js";

let users = null; // the last user list the shell sent (src-tauri/extract_users.rs)
let listedFor = null; // the source + form it was read for, to reload only on change

export const chosenJob = () => document.querySelector('input[name="job"]:checked')?.value ?? "copy";

function extractForm() {
  return {
    email: $("user-list").value || $("user-search").value.trim(),
    users_table: $("extract-users-table").value.trim(),
    owner_columns: $("extract-owner-columns")
      .value.split(",")
      .map((c) => c.trim())
      .filter(Boolean),
  };
}

/** Fills the request's job fields from the forms. */
export function readJob(request) {
  request.job = chosenJob();
  request.promote = {
    admin_email: $("admin-email").value.trim(),
    admin_username: $("admin-username").value.trim(),
    password_hash: $("password-hash").value,
    fill_updated_at: $("fill-updated-at").checked,
    users_table: $("promote-users-table").value.trim(),
    // Set by the Review step's switches; kept when the person comes back to this form.
    shared_tables: request.promote?.shared_tables ?? [],
    keep_global_uniques: $("keep-global-uniques").checked,
    row_level_security: $("row-level-security").checked,
    profile: $("target-profile").value,
  };
  request.extract = extractForm();
}

/** Supabase always enables row-level security: the box says so rather than being ignored. */
function showProfile() {
  const supabase = $("target-profile").value === "supabase";
  const box = $("row-level-security");
  if (supabase) {
    box.dataset.chosen ??= box.checked ? "yes" : "no";
    box.checked = true;
  } else if (box.dataset.chosen) {
    box.checked = box.dataset.chosen === "yes";
    delete box.dataset.chosen;
  }
  box.disabled = supabase;
}

/** Shows the chosen job's form; for Extract, loads the user list of `source`. */
export function showJob(source, schema) {
  const job = chosenJob();
  $("promote-form").hidden = job !== "promote";
  $("extract-form").hidden = job !== "extract";
  if (job === "extract") loadUsers(source, schema, false);
}

export async function loadUsers(source, schema, force) {
  const { users_table, owner_columns } = extractForm();
  const key = JSON.stringify([source, schema, users_table, owner_columns]);
  if (!force && key === listedFor) return;
  listedFor = key;
  $("user-error").replaceChildren();
  $("user-status").textContent = "Reading the users of the source…";
  $("load-users").disabled = true;
  try {
    users = await ipc.extractUsers(source, schema, { email: "", users_table, owner_columns });
    renderUsers();
  } catch (err) {
    users = null;
    listedFor = null;
    $("user-list").replaceChildren();
    $("owner-facts").hidden = true;
    $("owner-notes").replaceChildren();
    $("user-status").textContent = "";
    $("user-error").replaceChildren(errorBox(err, "Cannot list the users"));
  } finally {
    $("load-users").disabled = false;
  }
}

function renderUsers() {
  if (!users) return;
  const query = $("user-search").value.trim().toLowerCase();
  const previous = $("user-list").value;
  const shown = users.emails.filter((e) => e.toLowerCase().includes(query));
  $("user-list").replaceChildren(...shown.map((e) => el("option", { value: e, selected: e === previous }, e)));
  if (shown.length === 1) $("user-list").value = shown[0];
  const more = users.truncated ? ` (the first ${users.emails.length} are listed; type an email to use another)` : "";
  $("user-status").textContent = query
    ? `${plural(shown.length, "user")} of ${users.user_count} match “${query}”.${more}`
    : `${plural(users.user_count, "user")} in ${users.users_table}.${more} Choose one.`;
  $("owner-users-table").replaceChildren(el("code", {}, `${users.users_table}.${users.email_column}`));
  $("owner-columns").replaceChildren(...users.owner_columns.flatMap((c, i) => [i ? ", " : "", el("code", {}, c)]));
  $("owned-tables").textContent = users.owned_tables.join(", ") || "none";
  $("owner-facts").hidden = false;
  $("owner-notes").replaceChildren(...users.notes.map((n) => el("li", {}, n)));
}

export function wireJobForms(source, schema) {
  for (const radio of document.querySelectorAll('input[name="job"]')) {
    radio.addEventListener("change", () => showJob(source(), schema()));
  }
  $("user-search").addEventListener("input", renderUsers);
  $("load-users").addEventListener("click", () => loadUsers(source(), schema(), true));
  $("target-profile").addEventListener("change", showProfile);
}

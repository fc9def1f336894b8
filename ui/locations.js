// The "Copy from" / "Copy to" forms: SQLite (Browse… or a pasted path) or PostgreSQL (a URL
// or separate fields), recent choices without passwords, and "Test connection".

import { $, el, errorBox } from "./dom.js";
import * as ipc from "./ipc.js";

const SSL_MODES = [
  ["prefer", "prefer (TLS if the server offers it)"],
  ["require", "require (always TLS)"],
  ["verify-ca", "verify-ca (TLS, check the certificate)"],
  ["verify-full", "verify-full (TLS, check certificate and host name)"],
  ["disable", "disable (never TLS)"],
];

function field(id, label, input, hint) {
  return el("div", { class: "field" }, el("label", { for: id }, label), input, hint ? el("span", { class: "hint" }, hint) : null);
}

function text(id, attrs = {}) {
  return el("input", { id, type: "text", autocomplete: "off", spellcheck: "false", ...attrs });
}

/** Builds the form for `role` ("source" or "target") inside `fieldset`. */
export function locationForm(fieldset, role, schema) {
  const p = (name) => `${role}-${name}`;
  const isSource = role === "source";

  const kindRadios = el(
    "div",
    { class: "segmented", role: "radiogroup", "aria-label": "Database kind" },
    el("label", {}, el("input", { type: "radio", name: p("kind"), id: p("kind-sqlite"), value: "sqlite", checked: true }), "SQLite file"),
    el("label", {}, el("input", { type: "radio", name: p("kind"), id: p("kind-postgres"), value: "postgres" }), "PostgreSQL"),
  );

  const recent = el("select", { id: p("recent") }, el("option", { value: "" }, "Recent choices…"));
  const recentField = el("div", { class: "field recent", hidden: true }, el("label", { for: p("recent"), class: "sr-only" }, "Recent choices"), recent);

  const path = text(p("path"), { placeholder: isSource ? "/home/me/app.db" : "/home/me/app-copy.db" });
  const browse = el("button", { type: "button", id: p("browse") }, "Browse…");
  const sqlite = el(
    "div",
    { class: "kind-sqlite" },
    el(
      "div",
      { class: "field" },
      el("label", { for: p("path") }, isSource ? "SQLite file to copy" : "SQLite file to write"),
      el("div", { class: "row" }, path, browse),
      el("span", { class: "hint" }, isSource ? "Opened read-only: Ferry never changes it." : "A new file, or an existing one (backed up first)."),
    ),
  );

  const modeRadios = el(
    "div",
    { class: "segmented small", role: "radiogroup", "aria-label": "How to enter the connection" },
    el("label", {}, el("input", { type: "radio", name: p("pgmode"), id: p("pgmode-url"), value: "url", checked: true }), "URL"),
    el("label", {}, el("input", { type: "radio", name: p("pgmode"), id: p("pgmode-fields"), value: "fields" }), "Separate fields"),
  );
  const url = text(p("url"), { placeholder: "postgres://user:password@host:5432/database?sslmode=require" });
  const urlBox = el("div", { class: "pg-url" }, field(p("url"), "Connection URL", url, "Paste it from your host’s dashboard (Supabase, Neon, RDS…). The password is never saved."));
  const host = text(p("host"), { placeholder: "localhost" });
  const port = text(p("port"), { placeholder: "5432", inputmode: "numeric" });
  const database = text(p("database"));
  const user = text(p("user"));
  const password = el("input", { id: p("password"), type: "password", autocomplete: "off" });
  const sslmode = el("select", { id: p("sslmode") }, SSL_MODES.map(([v, l]) => el("option", { value: v }, l)));
  const fieldsBox = el(
    "div",
    { class: "pg-fields grid", hidden: true },
    field(p("host"), "Host", host),
    field(p("port"), "Port", port),
    field(p("database"), "Database", database),
    field(p("user"), "User", user),
    field(p("password"), "Password", password),
    field(p("sslmode"), "TLS (sslmode)", sslmode),
  );
  const postgres = el("div", { class: "kind-postgres", hidden: true }, modeRadios, urlBox, fieldsBox);

  const testButton = el("button", { type: "button", id: p("test") }, "Test connection");
  const status = el("div", { id: p("status"), class: "status", role: "status", "aria-live": "polite" });
  fieldset.append(kindRadios, recentField, sqlite, postgres, el("div", { class: "row test-row" }, testButton), status);

  const kind = () => ($(p("kind-postgres")).checked ? "postgres" : "sqlite");
  const pgMode = () => ($(p("pgmode-fields")).checked ? "fields" : "url");

  function show() {
    sqlite.hidden = kind() !== "sqlite";
    postgres.hidden = kind() !== "postgres";
    urlBox.hidden = pgMode() !== "url";
    fieldsBox.hidden = pgMode() !== "fields";
  }

  function clearStatus() {
    status.replaceChildren();
  }

  function value() {
    if (kind() === "sqlite") return { kind: "sqlite", path: path.value };
    if (pgMode() === "url") return { kind: "postgres_url", url: url.value };
    return {
      kind: "postgres_fields",
      host: host.value,
      port: port.value,
      database: database.value,
      user: user.value,
      password: password.value,
      sslmode: sslmode.value,
    };
  }

  /** A SQLite file from outside the form: dropped on it, or the file the app was opened with. */
  function useFile(filePath, how) {
    $(p("kind-sqlite")).checked = true;
    path.value = filePath;
    show();
    status.replaceChildren(el("p", { class: "message ok" }, el("span", { "aria-hidden": "true" }, "✓ "), how));
  }

  function fill(location) {
    if (location.kind === "sqlite") {
      $(p("kind-sqlite")).checked = true;
      path.value = location.path;
    } else {
      $(p("kind-postgres")).checked = true;
      $(p("pgmode-fields")).checked = true;
      host.value = location.host ?? "";
      port.value = location.port ?? "";
      database.value = location.database ?? "";
      user.value = location.user ?? "";
      password.value = "";
      sslmode.value = location.sslmode || "prefer";
    }
    show();
    clearStatus();
  }

  fieldset.addEventListener("change", (e) => {
    if (e.target.name === p("kind") || e.target.name === p("pgmode")) show();
    if (e.target !== recent) clearStatus();
  });
  fieldset.addEventListener("input", clearStatus);

  browse.addEventListener("click", async () => {
    try {
      const picked = await ipc.pickPath(role, path.value || null);
      if (picked) {
        path.value = picked;
        clearStatus();
      }
    } catch (err) {
      status.replaceChildren(errorBox(err, "Cannot open the file chooser"));
    }
  });

  testButton.addEventListener("click", async () => {
    testButton.disabled = true;
    status.replaceChildren(el("p", { class: "message pending" }, el("span", { class: "spinner", "aria-hidden": "true" }), "Testing…"));
    try {
      const said = await ipc.testConnection(value(), role, schema());
      status.replaceChildren(el("p", { class: "message ok" }, el("span", { "aria-hidden": "true" }, "✓ "), said));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    } finally {
      testButton.disabled = false;
    }
  });

  const recentItems = [];
  recent.addEventListener("change", () => {
    const item = recentItems[Number(recent.value)];
    if (item) fill(item.location);
    recent.value = "";
  });

  function setRecent(items) {
    recentItems.splice(0, recentItems.length, ...items.filter((r) => r.role === role));
    recent.replaceChildren(el("option", { value: "" }, "Recent choices…"), ...recentItems.map((r, i) => el("option", { value: String(i) }, r.label)));
    recentField.hidden = recentItems.length === 0;
  }

  show();
  return { value, fill, setRecent, kind, useFile };
}
